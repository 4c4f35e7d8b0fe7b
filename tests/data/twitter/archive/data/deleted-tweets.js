window.YTD.deleted_tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1653326124476969575"
          ],
          "editableUntil" : "2023-05-02T10:10:40.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [
          {
            "screen_name" : "tamar_ferry_co",
            "name" : "Tamar Ferry Co.",
            "id" : "3160288177",
            "id_str" : "3160288177",
            "indices" : [
              "34",
              "49"
            ]
          }
        ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "61"
      ],
      "favorite_count" : "0",
      "id_str" : "1653326124476969575",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1653326124476969575",
      "created_at" : "Tue May 02 09:10:40 +0000 2023",
      "favorited" : false,
      "full_text" : "Ferry suspended until 11:00 — see @tamar_ferry_co for updates",
      "lang" : "en",
      "deleted_at" : "2023-05-02T09:14:11.000Z"
    }
  }
]