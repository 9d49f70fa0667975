"""Identity: tokens, moviegoer sign-in with wx.login, staff passwords."""
