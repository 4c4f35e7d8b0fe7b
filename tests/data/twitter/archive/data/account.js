window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "lena.marsh@example.com",
      "createdVia" : "web",
      "username" : "lena_marsh_geo",
      "accountId" : "1089473370508703816",
      "createdAt" : "2019-01-27T10:41:07.000Z",
      "accountDisplayName" : "Lena Marsh 🌊"
    }
  }
]