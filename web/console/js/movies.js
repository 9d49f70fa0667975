/**
 * Movies (`#movies`, `#movies/ID`, `#movies/new`): the chain's catalogue, searchable, with each
 * movie's details, its poster and retirement. Movies are shared by every cinema, so only a platform
 * admin edits them (the service says so too); other staff see the same pages read-only.
 * A poster is sent as the file itself; the service decides by its content whether it is an image.
 */

import { api, describe, isAdmin, upload } from './api.js'
import { button, el, field, input, select } from './dom.js'

const STATUSES = [
  ['showing', 'Showing'],
  ['coming', 'Coming soon'],
  ['retired', 'Retired'],
]

/** The small poster beside the big one: the service stores both under one name. */
export function listPoster(url) {
  return url && url.includes('-detail.') ? url.replace('-detail.', '-list.') : url
}

export async function moviesView(root, ctx) {
  if (ctx.arg) return movieForm(root, ctx, ctx.arg === 'new' ? null : Number(ctx.arg))
  return movieList(root, ctx)
}

async function movieList(root, ctx) {
  const q = input('q', { type: 'search', placeholder: 'title words' })
  const status = select('status', [['', 'Showing or coming'], ...STATUSES], '')
  const rows = el('tbody')
  const more = button('More', () => load(false))
  more.hidden = true
  let cursor = null

  async function load(fresh) {
    const params = new URLSearchParams({ limit: '30' })
    if (q.value.trim()) params.set('q', q.value.trim())
    if (status.value) params.set('status', status.value)
    if (!fresh && cursor) params.set('cursor', cursor)
    try {
      const page = await api(`/api/v1/staff/movies?${params}`)
      if (fresh) rows.replaceChildren()
      for (const movie of page.items) rows.append(movieRow(movie))
      cursor = page.next_cursor
      more.hidden = !cursor
    } catch (err) {
      ctx.flash(describe(err), true)
    }
  }

  const search = el('form', 'c-toolbar', q, status)
  search.append(button('Search', () => load(true)))
  search.addEventListener('submit', (event) => {
    event.preventDefault()
    load(true)
  })
  status.addEventListener('change', () => load(true))
  if (isAdmin()) search.append(button('New movie', () => (window.location.hash = '#movies/new'), 'c-primary'))

  const table = el('table', 'c-table c-movies')
  table.append(header(['', 'Title', 'Status', 'Score', 'Minutes', 'Carousel']), rows)
  root.append(el('h2', '', 'Movies'), search, table, more)
  await load(true)
}

function header(names) {
  const row = el('tr')
  for (const name of names) row.append(el('th', '', name))
  return el('thead', '', row)
}

function movieRow(movie) {
  const row = el('tr', 'c-pick')
  row.dataset.movie = String(movie.id)
  const thumb = el('img', 'c-thumb')
  thumb.alt = ''
  thumb.loading = 'lazy'
  if (movie.poster_url) thumb.src = listPoster(movie.poster_url)
  const title = el('td', '', el('strong', '', movie.title))
  if (movie.original_title) title.append(el('div', 'c-muted', movie.original_title))
  row.append(
    el('td', '', thumb),
    title,
    el('td', '', STATUSES.find(([value]) => value === movie.status)[1]),
    el('td', 'num', movie.score === null ? '–' : movie.score.toFixed(1)),
    el('td', 'num', movie.duration_min),
    el('td', 'num', movie.hot_rank || '–'),
  )
  row.addEventListener('click', () => (window.location.hash = `#movies/${movie.id}`))
  return row
}

/** The form's values as the service's fields; empty optional fields are left unset or cleared. */
export function movieFields(form) {
  const list = (name) =>
    form[name].value
      .split(/[,，、]/)
      .map((item) => item.trim())
      .filter(Boolean)
  const fields = {
    title: form.title.value.trim(),
    original_title: form.original_title.value.trim(),
    genres: list('genres'),
    duration_min: Number(form.duration_min.value),
    score: form.score.value === '' ? null : Number(form.score.value),
    synopsis: form.synopsis.value,
    director: form.director.value.trim(),
    cast: list('cast'),
    release_date: form.release_date.value || null,
    status: form.status.value,
    hot_rank: Number(form.hot_rank.value || 0),
  }
  return fields
}

async function movieForm(root, ctx, movieId) {
  const movie = movieId
    ? await api(`/api/v1/staff/movies/${movieId}`)
    : { title: '', original_title: '', genres: [], duration_min: 100, score: null, synopsis: '', director: '' }
  const admin = isAdmin()
  const form = el('form', 'c-form c-card')
  form.id = 'movie-form'
  const synopsis = el('textarea')
  synopsis.name = 'synopsis'
  synopsis.rows = 4
  synopsis.maxLength = 2000
  synopsis.value = movie.synopsis || ''
  form.append(
    el('h2', '', movieId ? `Movie #${movieId}` : 'New movie'),
    field('Title', input('title', { value: movie.title, required: '', maxlength: '200' })),
    field('Original title', input('original_title', { value: movie.original_title || '', maxlength: '200' })),
    field('Genres', input('genres', { value: (movie.genres || []).join(', '), placeholder: 'drama, comedy' })),
    field('Minutes', input('duration_min', { type: 'number', value: movie.duration_min, min: '1', max: '600' })),
    field('Score', input('score', { type: 'number', value: movie.score ?? '', min: '0', max: '10', step: '0.1' })),
    field('Director', input('director', { value: movie.director || '', maxlength: '200' })),
    field('Cast', input('cast', { value: (movie.cast || []).join(', ') })),
    field('Released', input('release_date', { type: 'date', value: movie.release_date || '' })),
    field('Status', select('status', STATUSES, movie.status || 'coming')),
    field('Carousel', input('hot_rank', { type: 'number', value: movie.hot_rank || 0, min: '0', max: '100' })),
    field('Synopsis', synopsis),
  )
  const actions = el('div', 'c-toolbar')
  actions.append(button('Back to movies', () => (window.location.hash = '#movies')))
  if (admin) {
    const save = el('button', 'c-primary', movieId ? 'Save' : 'Add movie')
    save.type = 'submit'
    actions.append(save)
    if (movieId && movie.status !== 'retired') {
      actions.append(button('Retire', () => retire(ctx, movieId), 'c-danger'))
    }
  } else {
    for (const control of form.querySelectorAll('input, select, textarea')) control.disabled = true
    actions.append(el('span', 'c-muted', 'Movies are shared by the whole chain: a platform admin edits them.'))
  }
  form.append(actions)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      const saved = await api(movieId ? `/api/v1/staff/movies/${movieId}` : '/api/v1/staff/movies', {
        method: movieId ? 'PATCH' : 'POST',
        body: movieFields(form),
      })
      if (movieId) {
        ctx.flash('Saved.')
        return
      }
      // The shell clears the flash on every route: say it once the new page is routed.
      window.addEventListener('hashchange', () => ctx.flash(`Added “${saved.title}”: now add its poster.`), {
        once: true,
      })
      window.location.hash = `#movies/${saved.id}`
    } catch (err) {
      ctx.flash(describe(err), true)
    }
  })
  const layout = el('div', 'c-catalogue', form)
  if (movieId) layout.append(posterCard(ctx, movie, admin))
  root.append(layout)
}

async function retire(ctx, movieId) {
  if (!window.confirm('Retire this movie? It leaves the moviegoers’ lists; its orders stay.')) return
  try {
    await api(`/api/v1/staff/movies/${movieId}`, { method: 'PATCH', body: { status: 'retired' } })
    window.addEventListener('hashchange', () => ctx.flash('Retired.'), { once: true })
    window.location.hash = '#movies'
  } catch (err) {
    ctx.flash(describe(err), true)
  }
}

function posterCard(ctx, movie, admin) {
  const card = el('section', 'c-card c-poster')
  const image = el('img')
  image.id = 'poster-image'
  image.alt = `poster of ${movie.title}`
  if (movie.poster_url) image.src = movie.poster_url
  image.hidden = !movie.poster_url
  const note = el('p', 'c-muted', movie.poster_url ? '' : 'No poster yet.')
  card.append(el('h2', '', 'Poster'), image, note)
  if (!admin) return card
  const file = input('poster', { type: 'file', accept: 'image/png,image/jpeg,image/webp' })
  const send = button('Upload poster', async () => {
    const chosen = file.files[0]
    if (!chosen) {
      ctx.flash('Choose a PNG, JPEG or WebP file first.', true)
      return
    }
    send.disabled = true
    try {
      const answer = await upload(`/api/v1/staff/movies/${movie.id}/poster`, chosen)
      image.src = answer.movie.poster_url
      image.hidden = false
      note.textContent = answer.sizes.map((size) => `${size.name} ${size.width}×${size.height}`).join(' · ')
      ctx.flash('Poster uploaded.')
    } catch (err) {
      ctx.flash(describe(err), true)
    } finally {
      send.disabled = false
    }
  }, 'c-primary')
  card.append(el('p', 'c-muted', 'PNG, JPEG or WebP; cropped to 2:3 and stored at list and page sizes.'), file, send)
  return card
}
