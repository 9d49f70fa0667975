/**
 * The door without the network: a ticket's QR is checked as the server would, as far as the device
 * can: the Ed25519 signature (WebCrypto) against the day kit's public keys, the cinema, the door
 * window, the kit's revocation list and the scans this device already made. Scans wait in
 * IndexedDB and are synced when the network returns; the server answers with conflicts (the same
 * ticket admitted at another door first, a ticket revoked meanwhile). docs/door.md.
 */

import { addScanOnce, allScans, loadKit, putScan, saveKit } from './scanner-db.js'

const SYNC_BATCH = 100

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url')
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))
}

/** Download and keep the day's tickets, keys and revocations of a cinema. */
export async function downloadKit(api, cinemaId) {
  const kit = await api(`/api/v1/staff/door/day?cinema_id=${cinemaId}`)
  kit.downloaded_at = new Date().toISOString()
  await saveKit(kit)
  return kit
}

export const storedKit = (cinemaId) => loadKit(cinemaId)

/** The signed pass in a QR text, or a refusal `{reason}` (the server's reasons and codes). */
export async function verifyPass(kit, text) {
  const parts = String(text).trim().split('.')
  if (parts.length !== 4 || parts[0] !== 'SC1') return { refused: 'ticket_invalid', why: 'not a seatcore ticket' }
  const entry = kit.keys.find((key) => key.kid === parts[1])
  if (!entry) return { refused: 'ticket_invalid', why: 'signed with a key this door does not know' }
  let payload
  try {
    const key = await crypto.subtle.importKey('raw', fromBase64Url(entry.public_key), { name: 'Ed25519' }, false, [
      'verify',
    ])
    const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}.${parts[2]}`)
    const good = await crypto.subtle.verify({ name: 'Ed25519' }, key, fromBase64Url(parts[3]), signed)
    if (!good) return { refused: 'ticket_invalid', why: "the ticket's signature does not match" }
    payload = JSON.parse(new TextDecoder().decode(fromBase64Url(parts[2])))
  } catch (err) {
    return { refused: 'ticket_invalid', why: 'not a seatcore ticket' }
  }
  return {
    code: payload.t,
    showtimeId: payload.s,
    cinemaId: payload.c,
    hall: payload.h,
    seats: payload.z,
    validFrom: payload.f * 1000,
    validUntil: payload.u * 1000,
  }
}

/**
 * Decide at the door, offline. Resolves to `{ok: true, seat, ...}` for a ticket let in now (its
 * scan kept for the sync) or `{ok: false, code, why, seat}`.
 */
export async function admitOffline(kit, { qr, code }, door, now = Date.now()) {
  let pass
  if (qr) {
    pass = await verifyPass(kit, qr)
    if (pass.refused) return { ok: false, code: pass.refused, why: pass.why }
  } else {
    const ticket = kit.tickets.find((t) => t.code === code)
    const show = ticket && kit.showtimes.find((s) => s.showtime_id === ticket.showtime_id)
    if (!ticket || !show) {
      const revoked = kit.revoked.includes(code)
      return revoked ? notLive(code) : { ok: false, code: 'not_found', why: 'no such ticket in the day’s list' }
    }
    pass = {
      code,
      showtimeId: ticket.showtime_id,
      cinemaId: kit.cinema_id,
      hall: ticket.hall,
      seats: [ticket.seat],
      validFrom: Date.parse(show.valid_from),
      validUntil: Date.parse(show.valid_until),
    }
  }
  const seat = pass.seats.join(' ')
  if (pass.cinemaId !== kit.cinema_id) return { ok: false, code: 'wrong_cinema', why: 'this ticket is for another cinema', seat }
  if (now < pass.validFrom) return { ok: false, code: 'outside_door_window', why: 'the door is not open for this showtime yet', seat }
  if (now > pass.validUntil) return { ok: false, code: 'outside_door_window', why: "this ticket's showtime is over", seat }
  if (kit.revoked.includes(pass.code)) return { ...notLive(pass.code), seat }
  const online = kit.tickets.find((t) => t.code === pass.code && t.checked_in_at)
  if (online) return already(online.door, online.checked_in_at, seat)
  const scan = { code: pass.code, qr: qr || null, door, scanned_at: new Date(now).toISOString(), seat, synced: false }
  const earlier = await addScanOnce(scan)
  if (earlier) return already(earlier.door, earlier.scanned_at, seat)
  return { ok: true, seat, hall: pass.hall, code: pass.code, showtimeId: pass.showtimeId, offline: true }
}

function notLive(code) {
  return { ok: false, code: 'ticket_not_live', why: 'this ticket was refunded or exchanged', ticket: code }
}

function already(door, at, seat) {
  const time = (at || '').slice(11, 16)
  return { ok: false, code: 'already_checked_in', why: `already checked in at ${door} ${time}`, seat }
}

/** Scans not yet on the server. */
export async function pendingScans() {
  return (await allScans()).filter((scan) => !scan.synced)
}

/** Send the pending scans; resolves to the conflicts the server reported (kept on the scans too). */
export async function syncScans(api) {
  const conflicts = []
  const pending = await pendingScans()
  for (let i = 0; i < pending.length; i += SYNC_BATCH) {
    const batch = pending.slice(i, i + SYNC_BATCH)
    const body = {
      scans: batch.map((s) =>
        s.qr ? { qr: s.qr, door: s.door, scanned_at: s.scanned_at } : { code: s.code, door: s.door, scanned_at: s.scanned_at },
      ),
    }
    const answer = await api('/api/v1/staff/door/sync', { method: 'POST', body })
    for (const [index, result] of answer.results.entries()) {
      const scan = { ...batch[index], synced: true, result }
      await putScan(scan)
      if (result.status === 'conflict' || result.status === 'refused') conflicts.push(scan)
    }
  }
  return conflicts
}
