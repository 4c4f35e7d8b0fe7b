window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1635554546747914933"
          ],
          "editableUntil" : "2023-03-14T09:12:45.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "PlymouthSound",
            "indices" : [
              "65",
              "79"
            ]
          },
          {
            "text" : "fog",
            "indices" : [
              "80",
              "84"
            ]
          }
        ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ],
        "media" : [
          {
            "expanded_url" : "https://twitter.com/lena_marsh_geo/status/1635554546747914933/photo/1",
            "indices" : [
              "85",
              "108"
            ],
            "url" : "https://t.co/BOsrT5mH3D",
            "media_url" : "http://pbs.twimg.com/media/FrmFLHBMUAPTT0a.jpg",
            "id_str" : "1635554545409841557",
            "id" : "1635554545409841557",
            "media_url_https" : "https://pbs.twimg.com/media/FrmFLHBMUAPTT0a.jpg",
            "sizes" : {
              "thumb" : {
                "w" : "150",
                "h" : "150",
                "resize" : "crop"
              },
              "large" : {
                "w" : "2048",
                "h" : "1536",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.twitter.com/BOsrT5mH3D"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "84"
      ],
      "favorite_count" : "14",
      "id_str" : "1635554546747914933",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "1635554546747914933",
      "created_at" : "Tue Mar 14 08:12:45 +0000 2023",
      "favorited" : false,
      "full_text" : "Morning fog over the Sound 🌫️⛴️ Ferry still running on schedule. #PlymouthSound #fog https://t.co/BOsrT5mH3D",
      "lang" : "en",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://twitter.com/lena_marsh_geo/status/1635554546747914933/photo/1",
            "indices" : [
              "85",
              "108"
            ],
            "url" : "https://t.co/BOsrT5mH3D",
            "media_url" : "http://pbs.twimg.com/media/FrmFLHBMUAPTT0a.jpg",
            "id_str" : "1635554545409841557",
            "id" : "1635554545409841557",
            "media_url_https" : "https://pbs.twimg.com/media/FrmFLHBMUAPTT0a.jpg",
            "sizes" : {
              "thumb" : {
                "w" : "150",
                "h" : "150",
                "resize" : "crop"
              },
              "large" : {
                "w" : "2048",
                "h" : "1536",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.twitter.com/BOsrT5mH3D"
          }
        ]
      },
      "possibly_sensitive" : false,
      "coordinates" : {
        "type" : "Point",
        "coordinates" : [
          "-4.1427",
          "50.3644"
        ]
      },
      "geo" : {
        "type" : "Point",
        "coordinates" : [
          "50.3644",
          "-4.1427"
        ]
      }
    }
  },
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
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1636060733061960136"
          ],
          "editableUntil" : "2023-03-15T18:44:09.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "الإسكندرية",
            "indices" : [
              "70",
              "81"
            ]
          }
        ],
        "symbols" : [ ],
        "user_mentions" : [
          {
            "screen_name" : "omar_haddad_news",
            "name" : "عمر حداد",
            "id" : "2736618541",
            "id_str" : "2736618541",
            "indices" : [
              "3",
              "20"
            ]
          }
        ],
        "urls" : [ ],
        "media" : [
          {
            "expanded_url" : "https://twitter.com/omar_haddad_news/status/1636035156238212058/photo/1",
            "indices" : [
              "82",
              "105"
            ],
            "url" : "https://t.co/RYO1NiJ7br",
            "media_url" : "http://pbs.twimg.com/media/FV097shZXGqa6tc.jpg",
            "id_str" : "1636034770736521463",
            "id" : "1636034770736521463",
            "media_url_https" : "https://pbs.twimg.com/media/FV097shZXGqa6tc.jpg",
            "sizes" : {
              "thumb" : {
                "w" : "150",
                "h" : "150",
                "resize" : "crop"
              },
              "large" : {
                "w" : "2048",
                "h" : "1536",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.twitter.com/RYO1NiJ7br",
            "source_status_id_str" : "1636035156238212058",
            "source_status_id" : "1636035156238212058",
            "source_user_id_str" : "2736618541",
            "source_user_id" : "2736618541"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "105"
      ],
      "favorite_count" : "0",
      "id_str" : "1636060733061960136",
      "truncated" : false,
      "retweet_count" : "27",
      "id" : "1636060733061960136",
      "created_at" : "Wed Mar 15 17:44:09 +0000 2023",
      "favorited" : false,
      "full_text" : "RT @omar_haddad_news: ميناء الإسكندرية يعيد فتح الأرصفة بعد العاصفة 🌊 #الإسكندرية https://t.co/RYO1NiJ7br",
      "lang" : "ar",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://twitter.com/omar_haddad_news/status/1636035156238212058/photo/1",
            "indices" : [
              "82",
              "105"
            ],
            "url" : "https://t.co/RYO1NiJ7br",
            "media_url" : "http://pbs.twimg.com/media/FV097shZXGqa6tc.jpg",
            "id_str" : "1636034770736521463",
            "id" : "1636034770736521463",
            "media_url_https" : "https://pbs.twimg.com/media/FV097shZXGqa6tc.jpg",
            "sizes" : {
              "thumb" : {
                "w" : "150",
                "h" : "150",
                "resize" : "crop"
              },
              "large" : {
                "w" : "2048",
                "h" : "1536",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.twitter.com/RYO1NiJ7br",
            "source_status_id_str" : "1636035156238212058",
            "source_status_id" : "1636035156238212058",
            "source_user_id_str" : "2736618541",
            "source_user_id" : "2736618541"
          }
        ]
      },
      "possibly_sensitive" : false
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1642489554118615994"
          ],
          "editableUntil" : "2023-04-02T12:30:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          {
            "url" : "https://t.co/zq9qStxuUs",
            "expanded_url" : "https://twitter.com/noalevi_tlv/status/1642410375051149822",
            "display_url" : "twitter.com/noalevi_tlv/st…",
            "indices" : [
              "62",
              "85"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "85"
      ],
      "favorite_count" : "8",
      "id_str" : "1642489554118615994",
      "truncated" : false,
      "retweet_count" : "2",
      "id" : "1642489554118615994",
      "created_at" : "Sun Apr 02 11:30:00 +0000 2023",
      "favorited" : false,
      "full_text" : "Good thread on tide gauge data quality &amp; why it matters 👇 https://t.co/zq9qStxuUs",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1648926346417629875"
          ],
          "editableUntil" : "2023-04-20T06:47:31.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "52"
      ],
      "favorite_count" : "5",
      "id_str" : "1648926346417629875",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1648926346417629875",
      "created_at" : "Thu Apr 20 05:47:31 +0000 2023",
      "favorited" : false,
      "full_text" : "שלום מנמל חיפה! 🇮🇱 הגאות הגיעה ל-1.2 מטר הבוקר 👩‍👩‍👧",
      "lang" : "iw"
    }
  }
]