/**
 * Admission tokens of premiere waiting rooms, kept per showtime until they expire: the waiting
 * page stores the one it is given; holds on that showtime send it (X-Admission-Token).
 */
const KEY = 'seatcore.admission'

function all() {
  try {
    return wx.getStorageSync(KEY) || {}
  } catch (err) {
    return {}
  }
}

function remember(showtimeId, token, expiresAt) {
  const kept = all()
  const now = Date.now()
  Object.keys(kept).forEach((id) => {
    if (Date.parse(kept[id].expiresAt) <= now) delete kept[id]
  })
  kept[showtimeId] = { token, expiresAt }
  wx.setStorageSync(KEY, kept)
}

/** The showtime's token while it is valid, else ''. */
function token(showtimeId) {
  const kept = all()[showtimeId]
  if (!kept || !(Date.parse(kept.expiresAt) > Date.now())) return ''
  return kept.token
}

module.exports = { remember, token }
