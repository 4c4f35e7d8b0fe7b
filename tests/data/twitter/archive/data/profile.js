window.YTD.profile.part0 = [
  {
    "profile" : {
      "description" : {
        "bio" : "Coastal geographer. Ferries, tides & harbour data. Views my own.",
        "website" : "https://t.co/Pq8dK2mVxa",
        "location" : "Plymouth, UK"
      },
      "avatarMediaUrl" : "https://pbs.twimg.com/profile_images/1531938607636437096/Kx9_aQ3b_400x400.jpg",
      "headerMediaUrl" : "https://pbs.twimg.com/profile_banners/1089473370508703816/1654077600"
    }
  }
]