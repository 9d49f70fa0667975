/**
 * How the seat page names seats and price zones for people: `E排7座` (English: `Row E Seat 7`),
 * `优选座` for the zone code `premium`. The Chinese zone names are the service's own (its display
 * names of price zones); a code without a name is shown as it is.
 *
 * Loaded like seat-rules.js: required by the mini-program, and served to the web seat page as
 * web/js/seat-labels.js (a symlink to this file), where importing it sets `globalThis.seatLabels`.
 */
;(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory()
  else root.seatLabels = factory()
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  var ZONE_NAMES = {
    zh: { standard: '普通座', premium: '优选座', couple: '情侣座', vip: '贵宾座' },
    en: { standard: 'Standard', premium: 'Premium', couple: 'Couple', vip: 'VIP' },
  }

  function lang(locale) {
    return locale === 'en' ? 'en' : 'zh'
  }

  /** "E排7座" (zh) or "Row E Seat 7" (en). */
  function seatName(row, number, locale) {
    return lang(locale) === 'en' ? 'Row ' + row + ' Seat ' + number : row + '排' + number + '座'
  }

  /** A zone's name, or its code when it has none. */
  function zoneName(zone, locale) {
    return ZONE_NAMES[lang(locale)][zone] || zone
  }

  return { seatName: seatName, zoneName: zoneName }
})
