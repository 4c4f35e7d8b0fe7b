window.YTD.follower.part0 = [
  {
    "follower" : {
      "accountId" : "15729463",
      "userLink" : "https://twitter.com/intent/user?user_id=15729463"
    }
  },
  {
    "follower" : {
      "accountId" : "806499467851410354",
      "userLink" : "https://twitter.com/intent/user?user_id=806499467851410354"
    }
  },
  {
    "follower" : {
      "accountId" : "3160288177",
      "userLink" : "https://twitter.com/intent/user?user_id=3160288177"
    }
  }
]