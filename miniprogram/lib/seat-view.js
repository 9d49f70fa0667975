/**
 * "View from this seat": where the screen and the rows in front appear to a moviegoer sitting in a
 * given seat, as a perspective drawing of a small canvas. Pure math from the hall's layout (row
 * distance from the screen, offset from the centre line), so jest checks it without a canvas.
 *
 * The layout has no physical sizes, so the hall is built from a cinema's usual proportions
 * (GEOMETRY): every column (aisles too) is one seat wide, rows are one pitch apart and each rises by
 * the rake (stadium seating), the screen spans most of the seating's width at 2.1:1 and the front
 * row sits about 0.6 screen widths from it. Coordinates in metres: x to the right of the centre
 * line, y up from the front row's floor, z away from the screen (the screen is the plane z = 0).
 * The eye looks from the seat's straight-ahead direction half-way round to the screen's centre (as a
 * head turns in its seat), up or down to the screen's bottom edge, through a pinhole of
 * FOV_DEG across the canvas: from a seat left of the centre line the screen appears to the right,
 * its near edge taller.
 */
const GEOMETRY = {
  seatWidthM: 0.55,
  rowPitchM: 1.05,
  rakeM: 0.25,
  eyeM: 1.15, // eye height of a seated adult above their row's floor
  seatBackM: 0.95, // top of a seat back above its row's floor
  screenShare: 0.85, // the screen's width as a share of the seating's width
  screenMinM: 6,
  screenMaxM: 24,
  screenRatio: 2.1,
  screenBottomM: 1.5,
  firstRowShare: 0.6, // the front row's distance from the screen, in screen widths
  firstRowMinM: 4,
}
const FOV_DEG = 84

/** The hall's sizes in metres: `{screenWidthM, screenHeightM, firstRowM}` (plus GEOMETRY). */
function hallSizes(layout) {
  const g = GEOMETRY
  const seating = layout.columns * g.seatWidthM
  const screenWidthM = Math.min(g.screenMaxM, Math.max(g.screenMinM, seating * g.screenShare))
  return Object.assign({}, g, {
    screenWidthM,
    screenHeightM: screenWidthM / g.screenRatio,
    firstRowM: Math.max(g.firstRowMinM, screenWidthM * g.firstRowShare),
  })
}

function find(layout, seatId) {
  for (let r = 0; r < layout.rows.length; r += 1) {
    const seat = layout.rows[r].seats.find((s) => s.id === seatId)
    if (seat) return { rowIndex: r, seat }
  }
  return null
}

const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const unit = (a) => {
  const n = Math.sqrt(dot(a, a))
  return [a[0] / n, a[1] / n, a[2] / n]
}
const round = (n, digits) => Math.round(n * 10 ** digits) / 10 ** digits

/**
 * What the seat `seatId` sees on a canvas of `width` x `height` px, or null for an unknown seat:
 * `{screen: [[x, y] top-left, top-right, bottom-right, bottom-left], rows: [[x1, y1, x2, y2]]
 * (the tops of the seat backs in front, nearest last), distanceM (across the floor to the
 * screen's centre),
 * angleDeg (how wide the screen looks), offsetM (signed: + right of the centre line)}`.
 */
function seatView(layout, seatId, width, height) {
  const found = find(layout, seatId)
  if (!found) return null
  const h = hallSizes(layout)
  const centreCol = (layout.columns - 1) / 2
  const xOf = (col) => (col - centreCol) * h.seatWidthM
  const zOf = (rowIndex) => h.firstRowM + rowIndex * h.rowPitchM
  const floorOf = (rowIndex) => rowIndex * h.rakeM
  const eye = [xOf(found.seat.col), floorOf(found.rowIndex) + h.eyeM, zOf(found.rowIndex)]
  const halfW = h.screenWidthM / 2
  const bottom = h.screenBottomM
  const top = bottom + h.screenHeightM
  const centre = [0, (bottom + top) / 2, 0]

  // Aimed at the screen's bottom edge: the screen fills the upper part of the drawing and
  // the seat backs in front the lower part, as a seat shows them.
  const aim = [-eye[0] / 2, bottom - eye[1], -eye[2]]
  const forward = unit(aim)
  const right = unit(cross(forward, [0, 1, 0]))
  const up = cross(right, forward)
  const focal = width / 2 / Math.tan(((FOV_DEG / 2) * Math.PI) / 180)
  const project = (point) => {
    const d = sub(point, eye)
    const depth = dot(d, forward)
    return [
      round(width / 2 + (focal * dot(d, right)) / depth, 1),
      round(height / 2 - (focal * dot(d, up)) / depth, 1),
    ]
  }

  const screen = [
    [-halfW, top, 0],
    [halfW, top, 0],
    [halfW, bottom, 0],
    [-halfW, bottom, 0],
  ].map(project)
  const rows = []
  for (let r = 0; r < found.rowIndex; r += 1) {
    const seats = layout.rows[r].seats
    if (!seats.length) continue
    const y = floorOf(r) + h.seatBackM
    const z = zOf(r) + h.seatWidthM / 2
    const cols = seats.map((s) => s.col)
    const left = project([xOf(Math.min(...cols)) - h.seatWidthM / 2, y, z])
    const rightEnd = project([xOf(Math.max(...cols)) + h.seatWidthM / 2, y, z])
    rows.push([left[0], left[1], rightEnd[0], rightEnd[1]])
  }
  const toLeft = unit(sub([-halfW, centre[1], 0], eye))
  const toRight = unit(sub([halfW, centre[1], 0], eye))
  return {
    screen,
    rows,
    distanceM: round(Math.sqrt(eye[0] * eye[0] + eye[2] * eye[2]), 1),
    angleDeg: Math.round((Math.acos(dot(toLeft, toRight)) * 180) / Math.PI),
    offsetM: round(eye[0], 2),
  }
}

module.exports = { seatView, hallSizes, GEOMETRY, FOV_DEG }
