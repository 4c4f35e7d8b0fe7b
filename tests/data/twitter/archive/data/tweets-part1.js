window.YTD.tweets.part1 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1635556382488587979"
          ],
          "editableUntil" : "2023-03-14T09:20:03.000Z",
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
              "0",
              "15"
            ]
          }
        ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "16",
        "74"
      ],
      "favorite_count" : "1",
      "id_str" : "1635556382488587979",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1635556382488587979",
      "created_at" : "Tue Mar 14 08:20:03 +0000 2023",
      "favorited" : false,
      "full_text" : "@tamar_ferry_co Is the 09:15 crossing affected by the fog warning? Thanks!",
      "lang" : "en",
      "in_reply_to_status_id_str" : "1635551002145844531",
      "in_reply_to_user_id" : "3160288177",
      "in_reply_to_status_id" : "1635551002145844531",
      "in_reply_to_screen_name" : "tamar_ferry_co",
      "in_reply_to_user_id_str" : "3160288177"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          {
            "url" : "https://t.co/P1XXxhu0bs",
            "expanded_url" : "https://tides.example.org/plymouth/2021-04",
            "display_url" : "tides.example.org/plymouth/2021-…",
            "indices" : [
              "67",
              "90"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "90"
      ],
      "favorite_count" : "22",
      "id_str" : "1376611417771358105",
      "truncated" : false,
      "retweet_count" : "9",
      "id" : "1376611417771358105",
      "created_at" : "Mon Mar 29 19:05:12 +0000 2021",
      "favorited" : false,
      "full_text" : "Tide tables for April are up. Spring tides on the 27th &gt; 5.6 m! https://t.co/P1XXxhu0bs",
      "lang" : "en"
    }
  }
]