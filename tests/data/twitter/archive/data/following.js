window.YTD.following.part0 = [
  {
    "following" : {
      "accountId" : "15729463",
      "userLink" : "https://twitter.com/intent/user?user_id=15729463"
    }
  },
  {
    "following" : {
      "accountId" : "3160288177",
      "userLink" : "https://twitter.com/intent/user?user_id=3160288177"
    }
  }
]