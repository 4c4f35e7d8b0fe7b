window.YTD.tweet.part0 = [
  {
    "retweeted" : false,
    "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
    "entities" : {
      "hashtags" : [ ],
      "symbols" : [ ],
      "user_mentions" : [ ],
      "urls" : [ ]
    },
    "display_text_range" : [
      "0",
      "88"
    ],
    "favorite_count" : "41",
    "id_str" : "1194821747648108669",
    "truncated" : false,
    "retweet_count" : "17",
    "id" : "1194821747648108669",
    "created_at" : "Thu Nov 14 03:37:58 +0000 2019",
    "favorited" : false,
    "full_text" : "Storm Kiara closed the Hoe foreshore tonight. Stay safe &amp; stay back from the edge 🌊🌊",
    "lang" : "en"
  },
  {
    "retweeted" : false,
    "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
    "entities" : {
      "hashtags" : [
        {
          "text" : "Plymouth",
          "indices" : [
            "50",
            "59"
          ]
        }
      ],
      "symbols" : [ ],
      "user_mentions" : [
        {
          "screen_name" : "samokafor_maps",
          "name" : "Sam Okafor",
          "id" : "15729463",
          "id_str" : "15729463",
          "indices" : [
            "3",
            "18"
          ]
        }
      ],
      "urls" : [
        {
          "url" : "https://t.co/R4nDm0LnkP",
          "expanded_url" : "https://maps.example.org/flood/plymouth",
          "display_url" : "maps.example.org/flood/plymouth",
          "indices" : [
            "60",
            "83"
          ]
        }
      ]
    },
    "display_text_range" : [
      "0",
      "83"
    ],
    "favorite_count" : "0",
    "id_str" : "1194827844594778821",
    "truncated" : false,
    "retweet_count" : "6",
    "id" : "1194827844594778821",
    "created_at" : "Thu Nov 14 04:02:11 +0000 2019",
    "favorited" : false,
    "full_text" : "RT @samokafor_maps: Flood warning map updated for #Plymouth https://t.co/R4nDm0LnkP",
    "lang" : "en"
  }
]