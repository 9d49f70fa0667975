/**
 * The moviegoer's start page: movies now showing, then a movie's showtimes by date, each a link
 * to its seat page. `?movie=ID&date=YYYY-MM-DD` keeps the choice across the back button.
 * Genres, languages and formats read as the service names them (the mini-program's words);
 * when the browser may tell where the user is, each cinema shows its distance, nearest first.
 */

import { step, trackPage } from './analytics.js'
import { api } from './api.js'
import { renderPicks } from './picks.js'
import { clock, displayNames, distance, nextDates, yuan } from './format.js'
import { explain, locale, t } from './i18n.js'

const $ = (selector) => document.querySelector(selector)
const DAYS_SHOWN = 5

async function main() {
  document.documentElement.lang = t('screen') === 'Screen' ? 'en' : 'zh-CN'
  $('#movies-title').textContent = t('movies')
  trackPage('web/home')
  renderPicks($('#picks'), (movie) => {
    step('movie_opened', { movie_id: movie.id })
    showMovie(movie, null)
  })
  const params = new URLSearchParams(window.location.search)
  try {
    const movies = await api('/api/v1/movies?status=showing&limit=50')
    renderMovies(movies.items)
    const chosen = movies.items.find((movie) => String(movie.id) === params.get('movie'))
    if (chosen) await showMovie(chosen, params.get('date'))
  } catch (err) {
    $('#movies').replaceChildren(node('p', 'notice', explain(err)))
  }
}

function renderMovies(movies) {
  const list = $('#movies')
  list.replaceChildren()
  for (const movie of movies) {
    const item = node('li', 'movie')
    const button = node('button', 'movie-button')
    button.type = 'button'
    button.dataset.movie = String(movie.id)
    if (movie.poster_url) {
      const poster = document.createElement('img')
      poster.src = movie.poster_url
      poster.alt = ''
      poster.loading = 'lazy'
      button.append(poster)
    }
    const text = node('span', 'movie-text')
    text.append(node('strong', '', movie.title))
    const facts = [
      movie.score ? `★ ${movie.score.toFixed(1)}` : '',
      displayNames(movie.genre_names, movie.genres),
      `${movie.duration_min}′`,
    ]
    text.append(node('small', '', facts.filter(Boolean).join(' · ')))
    button.append(text)
    button.addEventListener('click', () => {
      step('movie_opened', { movie_id: movie.id })
      showMovie(movie, null)
    })
    item.append(button)
    list.append(item)
  }
}

async function showMovie(movie, date) {
  step('showtimes_opened', { movie_id: movie.id })
  const dates = nextDates(DAYS_SHOWN)
  const day = dates.includes(date) ? date : dates[0]
  history.replaceState(null, '', `?movie=${movie.id}&date=${day}`)
  const box = $('#showtimes')
  box.hidden = false
  box.replaceChildren(node('h2', '', `${movie.title} · ${t('showtimes')}`))
  const tabs = node('div', 'date-tabs')
  for (const each of dates) {
    const tab = node('button', each === day ? 'tab active' : 'tab', each.slice(5))
    tab.type = 'button'
    tab.addEventListener('click', () => showMovie(movie, each))
    tabs.append(tab)
  }
  box.append(tabs)
  let answer
  let distances
  try {
    ;[answer, distances] = await Promise.all([
      api(`/api/v1/showtimes?movie_id=${movie.id}&date=${day}`),
      cinemaDistances(),
    ])
  } catch (err) {
    box.append(node('p', 'notice', explain(err)))
    return
  }
  if (!answer.items.length) {
    box.append(node('p', 'hint', t('no_showtimes')))
    return
  }
  const far = Number.MAX_SAFE_INTEGER
  const away = (show) => (distances.has(show.cinema_id) ? distances.get(show.cinema_id) : far)
  const shows = answer.items.slice().sort((a, b) => away(a) - away(b))
  const list = node('ul', 'showtimes')
  for (const show of shows) {
    const item = node('li')
    const link = node('a', show.sales_open ? 'showtime' : 'showtime closed')
    link.href = `seats.html?showtime=${show.id}`
    link.append(
      node('strong', '', clock(show.starts_at)),
      node(
        'span',
        '',
        [
          show.cinema_name,
          distance(distances.get(show.cinema_id), locale()),
          show.hall_name,
          show.language_name || show.language,
          show.format_name || show.format,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
      node('span', 'price', show.sales_open ? yuan(show.price_from_fen) : t('sales_closed_banner')),
      node('small', '', t('seats_left', { n: show.free_seats })),
    )
    item.append(link)
    list.append(item)
  }
  box.append(list)
  box.scrollIntoView({ behavior: 'smooth', block: 'start' })
}

let nearby = null

/**
 * Cinema id -> metres from the user, asked of the service once with the browser's position;
 * empty when the browser has no position to give (refused, unsupported, too slow).
 */
function cinemaDistances() {
  if (!nearby) {
    nearby = position()
      .then(async (where) => {
        if (!where) return new Map()
        const answer = await api(`/api/v1/cinemas?lat=${where.lat}&lng=${where.lng}`)
        return new Map(answer.items.filter((c) => c.distance_m !== null).map((c) => [c.id, c.distance_m]))
      })
      .catch(() => {
        // Showtimes still list without distances; the next date tab asks again.
        nearby = null
        return new Map()
      })
  }
  return nearby
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null)
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({ lat: found.coords.latitude, lng: found.coords.longitude }),
      () => resolve(null),
      { timeout: 5000, maximumAge: 600000 },
    )
  })
}

function node(tag, className = '', text = '') {
  const element = document.createElement(tag)
  if (className) element.className = className
  if (text) element.textContent = text
  return element
}

main()
