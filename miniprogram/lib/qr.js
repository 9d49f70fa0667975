/**
 * QR codes drawn on the phone from a signed text (the snacks' pickup code, `pickup.qr`), for an
 * <image src>: the tickets' QR images come from the service, a pickup QR has only its text.
 * The encoder is the vendored qrcode-generator (lib/vendor/qrcode-generator/VERSION.md).
 */
const qrcode = require('./vendor/qrcode-generator/qrcode')

// Error correction M, as the service's ticket QR codes (segno, error="m"): a scratched screen
// still scans, and a signed payload of ~200 characters stays at a version a counter camera reads.
const LEVEL = 'M'

/** The code's modules: `size` and `dark(row, col)`. Type 0 picks the smallest version that fits. */
function qrMatrix(text) {
  const code = qrcode(0, LEVEL)
  code.addData(String(text), 'Byte')
  code.make()
  const size = code.getModuleCount()
  return { size, dark: (row, col) => code.isDark(row, col) }
}

/** A GIF data URL of the code, `cellPx` pixels a module with a quiet zone of 4 modules. */
function qrDataUrl(text, cellPx) {
  const code = qrcode(0, LEVEL)
  code.addData(String(text), 'Byte')
  code.make()
  const cell = cellPx || 4
  return code.createDataURL(cell, cell * 4)
}

module.exports = { qrMatrix, qrDataUrl }
