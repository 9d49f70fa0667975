/**
 * The scanner's memory on the device (IndexedDB), so a door keeps working through a network cut
 * and a reload: `kits` holds each cinema's downloaded day (tickets, keys, revocations), `scans`
 * the tickets this device let in, by code, until the server has them (`synced`).
 */

const DB_NAME = 'seatcore-door'
const VERSION = 1

let opening = null

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, VERSION)
      request.onupgradeneeded = () => {
        const db = request.result
        db.createObjectStore('kits', { keyPath: 'cinema_id' })
        db.createObjectStore('scans', { keyPath: 'code' })
      }
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
  }
  return opening
}

/** Run `work(store)` in one transaction; resolves to the value of the request it returns, if any. */
async function inStore(name, mode, work) {
  const db = await open()
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode)
    const request = work(tx.objectStore(name))
    tx.oncomplete = () => resolve(request ? request.result : undefined)
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error)
  })
}

export const saveKit = (kit) => inStore('kits', 'readwrite', (s) => s.put(kit))
export const loadKit = (cinemaId) => inStore('kits', 'readonly', (s) => s.get(cinemaId))
export const findScan = (code) => inStore('scans', 'readonly', (s) => s.get(code))
export const allScans = () => inStore('scans', 'readonly', (s) => s.getAll())

/**
 * Record that this device let `scan.code` in, unless it already did: resolves to the earlier scan
 * when there was one (then nothing is written), else null. One transaction, so two quick reads of
 * the same code on this device cannot both pass.
 */
export async function addScanOnce(scan) {
  const db = await open()
  return new Promise((resolve, reject) => {
    const tx = db.transaction('scans', 'readwrite')
    const store = tx.objectStore('scans')
    let earlier = null
    const get = store.get(scan.code)
    get.onsuccess = () => {
      earlier = get.result || null
      if (!earlier) store.add(scan)
    }
    tx.oncomplete = () => resolve(earlier)
    tx.onerror = () => reject(tx.error)
  })
}

export const putScan = (scan) => inStore('scans', 'readwrite', (s) => s.put(scan))
