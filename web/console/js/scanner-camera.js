/**
 * The device camera as a QR reader: frames from getUserMedia drawn on a canvas and read by jsQR
 * (vendored, web/console/vendor/jsqr). The same code seen again within REPEAT_MS is one scan,
 * so a ticket held in front of the camera is not scanned over and over.
 */

const FRAME_MS = 120
const REPEAT_MS = 4000
const MAX_SIDE = 720 // larger frames are scaled down: jsQR's time grows with the pixels

export function cameraReader(video, canvas, onCode) {
  let stream = null
  let timer = null
  let last = { text: '', at: 0 }

  function readFrame() {
    timer = setTimeout(readFrame, FRAME_MS)
    if (video.readyState < video.HAVE_ENOUGH_DATA || !video.videoWidth) return
    const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight))
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    const context = canvas.getContext('2d', { willReadFrequently: true })
    context.drawImage(video, 0, 0, canvas.width, canvas.height)
    const image = context.getImageData(0, 0, canvas.width, canvas.height)
    const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })
    if (!found || !found.data) return
    const now = Date.now()
    if (found.data === last.text && now - last.at < REPEAT_MS) return
    last = { text: found.data, at: now }
    onCode(found.data)
  }

  return {
    async start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw new Error('this browser gives no camera here (it needs HTTPS): type the code instead')
      }
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      })
      video.srcObject = stream
      await video.play()
      last = { text: '', at: 0 }
      readFrame()
    },
    stop() {
      clearTimeout(timer)
      timer = null
      if (stream) for (const track of stream.getTracks()) track.stop()
      stream = null
      video.srcObject = null
    },
    /** Forget the last code, so the same ticket shown again is read again (a second pass). */
    forget() {
      last = { text: '', at: 0 }
    },
  }
}
