/**
 * How the seat page names seats and price zones for people: `E排7座` (English: `Row E Seat 7`),
 * `优选区` for the zone code `premium`. The service's display name for a zone wins when the
 * snapshot carries one (`zone_names`); the codes seatcore's halls use have names here, and any
 * other code is shown as it is.
 *
 * Loaded like seat-rules.js: required by the mini-program, and served to the web seat page as
 * web/js/seat-labels.js (a symlink to this file), where importing it sets `globalThis.seatLabels`.
 */
;(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory()
  else root.seatLabels = factory()
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  var ZONE_NAMES = {
    zh: { standard: '普通区', premium: '优选区', couple: '情侣座', vip: 'VIP区', wheelchair: '无障碍区' },
    en: { standard: 'Standard', premium: 'Premium', couple: 'Couple', vip: 'VIP', wheelchair: 'Accessible' },
  }

  function lang(locale) {
    return locale === 'en' ? 'en' : 'zh'
  }

  /** "E排7座" (zh) or "Row E Seat 7" (en). */
  function seatName(row, number, locale) {
    return lang(locale) === 'en' ? 'Row ' + row + ' Seat ' + number : row + '排' + number + '座'
  }

  /** A zone's name: the service's (`names[zone]`), else ours, else the code. */
  function zoneName(zone, locale, names) {
    if (names && names[zone]) return names[zone]
    return ZONE_NAMES[lang(locale)][zone] || zone
  }

  return { seatName: seatName, zoneName: zoneName }
})
