/**
 * The console's shell: sign-in, the cinema picker and the views, one per `#hash`
 * (`#schedule`, `#movies`, `#cinemas`, `#layouts`, `#live/ID`, `#boxoffice`, `#orders`, `#analytics`,
 * `#experiments`, `#tiers`, `#campaigns`, `#policies`, `#members/ID`, `#snacks`, `#counter`).
 */

import { analyticsView } from './analytics.js'
import { api, describe, renew, signIn, signOut, staffSession } from './api.js'
import { boxofficeView } from './boxoffice.js'
import { campaignsView } from './campaigns.js'
import { cinemasView } from './cinemas.js'
import { counterView } from './counter.js'
import { experimentsView } from './experiments.js'
import { layoutsView } from './layouts.js'
import { liveView } from './live.js'
import { membersView } from './members.js'
import { moviesView } from './movies.js'
import { ordersView } from './orders.js'
import { policiesView } from './policies.js'
import { scheduleView } from './schedule.js'
import { tiersView } from './tiers.js'
import { snacksView } from './snacks.js'

const VIEWS = {
  schedule: scheduleView,
  movies: moviesView,
  cinemas: cinemasView,
  layouts: layoutsView,
  live: liveView,
  boxoffice: boxofficeView,
  orders: ordersView,
  analytics: analyticsView,
  experiments: experimentsView,
  tiers: tiersView,
  campaigns: campaignsView,
  policies: policiesView,
  members: membersView,
  snacks: snacksView,
  counter: counterView,
}
const $ = (selector) => document.querySelector(selector)

/** What every view gets: the cinemas, the chosen one, a way to report, and the route's argument. */
const context = {
  cinemas: [],
  cinema: null,
  arg: '',
  cleanup: null,
  flash(message, bad = false) {
    const node = $('#flash')
    node.textContent = message
    node.classList.toggle('c-bad', bad)
    node.hidden = !message
    clearTimeout(this.flashTimer)
    if (message && !bad) this.flashTimer = setTimeout(() => (node.hidden = true), 5000)
  },
}

async function submitSignIn(event) {
  event.preventDefault()
  const form = event.target
  $('#signin-error').textContent = ''
  try {
    await signIn(form.username.value, form.password.value)
    form.reset()
    await start()
  } catch (err) {
    $('#signin-error').textContent = describe(err)
  }
}

function showSignIn() {
  $('#app').hidden = true
  $('#signin').hidden = false
  $('#signin-form input[name=username]').focus()
}

async function start() {
  // A new tab has no access token yet, but the session cookie may still hold.
  if (!staffSession.token && !(await renew())) {
    showSignIn()
    return
  }
  let cinemas
  try {
    cinemas = (await api('/api/v1/staff/cinemas')).items
  } catch (err) {
    showSignIn()
    return
  }
  context.cinemas = cinemas
  const picker = $('#cinema-select')
  picker.replaceChildren(
    ...cinemas.map((cinema) => {
      const option = document.createElement('option')
      option.value = String(cinema.id)
      option.textContent = `${cinema.name} (${cinema.city})`
      return option
    }),
  )
  const remembered = localStorage.getItem('seatcore.console.cinema')
  if (cinemas.some((c) => String(c.id) === remembered)) picker.value = remembered
  context.cinema = cinemas.find((c) => String(c.id) === picker.value) || null
  const user = staffSession.user
  $('#who').textContent = user ? `${user.name} · ${user.role}` : ''
  $('#signin').hidden = true
  $('#app').hidden = false
  if (!window.location.hash) window.location.hash = '#schedule'
  else route()
}

function route() {
  if ($('#app').hidden) return
  const [name, arg = ''] = window.location.hash.slice(1).split('/')
  const view = VIEWS[name] || VIEWS.schedule
  for (const link of document.querySelectorAll('.c-nav a')) {
    link.classList.toggle('active', link.dataset.view === (VIEWS[name] ? name : 'schedule'))
  }
  if (context.cleanup) context.cleanup()
  context.cleanup = null
  context.arg = decodeURIComponent(arg)
  context.flash('')
  // Each visit draws into a box of its own: a view still loading when the user moves on finishes
  // into its detached box, never into the page of the next view.
  const root = document.createElement('div')
  $('#view').replaceChildren(root)
  if (!context.cinema) {
    root.textContent = 'No cinema is assigned to this account yet: ask a platform admin.'
    return
  }
  view(root, context).catch((err) => {
    if (root.isConnected) context.flash(describe(err), true)
  })
}

document.addEventListener('DOMContentLoaded', () => {
  $('#signin-form').addEventListener('submit', submitSignIn)
  $('#signout').addEventListener('click', async () => {
    await signOut()
    showSignIn()
  })
  $('#cinema-select').addEventListener('change', (event) => {
    localStorage.setItem('seatcore.console.cinema', event.target.value)
    context.cinema = context.cinemas.find((c) => String(c.id) === event.target.value) || null
    route()
  })
  window.addEventListener('hashchange', route)
  window.addEventListener('console:signed-out', showSignIn)
  start()
})
