/**
 * 猜你喜欢 on the web home: GET /api/v1/recommendations (personal when signed in, else the most
 * popular), a row of posters, each with its reason. A failure leaves the row out; the home page
 * does not depend on it.
 */
import { api } from './api.js'

/** Fill `section` with the picks; `onOpen(movie)` runs when one is chosen. */
export async function renderPicks(section, onOpen) {
  let items
  try {
    items = (await api('/api/v1/recommendations?limit=8')).items
  } catch (err) {
    return
  }
  if (!items.length) return
  const list = document.createElement('ul')
  list.className = 'picks-list'
  for (const movie of items) {
    const item = document.createElement('li')
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'pick'
    button.dataset.pick = String(movie.id)
    if (movie.poster_url) {
      const poster = document.createElement('img')
      poster.src = movie.poster_url
      poster.alt = ''
      poster.loading = 'lazy'
      button.append(poster)
    }
    const title = document.createElement('strong')
    title.textContent = movie.title
    button.append(title)
    if (movie.reason) {
      const reason = document.createElement('small')
      reason.textContent = movie.reason
      button.append(reason)
    }
    button.addEventListener('click', () => onOpen(movie))
    item.append(button)
    list.append(item)
  }
  const heading = document.createElement('h2')
  heading.textContent = '猜你喜欢'
  section.replaceChildren(heading, list)
  section.hidden = false
}
