/** The browsing pages (home, movie, cinemas, showtimes) against a scripted catalogue. */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')

let wx

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
})

afterEach(() => {
  delete global.wx
})

describe('home', () => {
  test('shows the hot carousel and the now showing list, coming soon on its tab', async () => {
    const page = await openPage('home', {}, flush)
    expect(page.querySelectorAll('.hot')).toHaveLength(2)
    expect(textOf(page, '.hot-title')).toBe('流浪地球')
    expect(page.querySelectorAll('.listed')).toHaveLength(2)
    await tap(page.querySelectorAll('.tab')[1])
    expect(page.querySelectorAll('.listed')).toHaveLength(1)
    // A movie-card's own elements are inside the card component.
    const card = page.querySelector('.listed')
    expect(textOf(card, '.title')).toBe('深海')
    expect(textOf(card, '.release')).toBe('2030-02-01 上映')
  })

  test('shows the city chosen on the Cinemas tab, and goes there to change it', async () => {
    wx.setStorageSync('seatcore.city', '北京')
    const page = await openPage('home', {}, flush)
    expect(textOf(page, '.city')).toBe('北京▾')
    await tap(page.querySelector('.city'))
    expect(wx.calls.switchTab.pop().url).toBe('/pages/cinemas/index')
  })

  test('searches titles and opens a result', async () => {
    const page = await openPage('home', {}, flush)
    page.instance.onQueryInput({ detail: { value: '满江' } })
    await page.instance.search()
    await flush()
    expect(page.querySelectorAll('.result')).toHaveLength(1)
    expect(wx.requestsTo('GET', '/api/v1/movies').pop().query).toEqual({ q: '满江' })
    await tap(page.querySelector('.result').querySelector('.movie-card'))
    expect(wx.calls.navigateTo.pop().url).toBe('/pages/movie/index?id=2')
  })

  test('explains a failure in Chinese', async () => {
    wx.route('GET', '/api/v1/movies/hot', () => errorReply(500, 'internal_error'))
    const page = await openPage('home', {}, flush)
    expect(textOf(page, '.error')).toMatch(/^服务出错了，请稍后再试/)
    // Retry loads again, and the page recovers.
    routeCatalogue(wx)
    await tap(page.querySelector('.retry'))
    await flush()
    expect(page.querySelector('.error')).toBeFalsy()
    expect(page.querySelectorAll('.hot')).toHaveLength(2)
  })
})

describe('movie', () => {
  test('shows the movie and toggles want-to-see, signing in first', async () => {
    let wanted = false
    wx.route('PUT', '/api/v1/movies/1/want', () => ((wanted = true), { wanted: true, want_count: 11 }))
    wx.route('DELETE', '/api/v1/movies/1/want', () => ((wanted = false), { wanted: false, want_count: 10 }))
    const page = await openPage('movie', { id: '1' }, flush)
    expect(textOf(page, '.title')).toBe('流浪地球')
    expect(textOf(page, '.score')).toBe('8.6分')
    await tap(page.querySelector('.want-button'))
    await flush()
    expect(wanted).toBe(true)
    expect(textOf(page, '.want-count')).toBe('11')
    expect(wx.requestsTo('POST', '/api/v1/auth/wx-login')).toHaveLength(1)
    expect(wx.requestsTo('PUT', '/api/v1/movies/1/want')[0].header.Authorization).toBe('Bearer token-alice')
    await tap(page.querySelector('.want-button'))
    await flush()
    expect(wanted).toBe(false)
    expect(textOf(page, '.want-button')).toMatch(/^想看/)
    await tap(page.querySelector('.buy'))
    expect(wx.calls.navigateTo.pop().url).toBe('/pages/showtimes/index?movie_id=1')
  })
})

describe('cinemas', () => {
  test('lists the first city, remembers the city picked, opens a cinema', async () => {
    const page = await openPage('cinemas', {}, flush)
    expect(page.querySelectorAll('.cinema')).toHaveLength(2)
    // Location refused: no distances, and a way to allow it.
    expect(page.querySelector('.distance')).toBeFalsy()
    expect(textOf(page, '.locate')).toMatch('开启定位')
    expect(textOf(page, '.cinema-price')).toBe('¥39起')
    expect(textOf(page, '.formats')).toBe('IMAX激光')
    await tap(page.querySelectorAll('.city')[1])
    await flush()
    expect(page.querySelectorAll('.cinema')).toHaveLength(1)
    expect(wx.getStorageSync('seatcore.city')).toBe('北京')
    await tap(page.querySelector('.cinema'))
    expect(wx.calls.navigateTo.pop().url).toBe('/pages/showtimes/index?cinema_id=21')
  })

  test('near me: asks the service with the position and shows each distance', async () => {
    wx.location = { latitude: 31.2336, longitude: 121.476 }
    const page = await openPage('cinemas', {}, flush)
    const asked = wx.requestsTo('GET', '/api/v1/cinemas').pop().query
    expect(asked).toEqual({ city: '上海', lat: '31.2336', lng: '121.476' })
    expect(page.querySelectorAll('.distance').map((d) => d.dom.textContent)).toEqual(['1.1公里', '1.2公里'])
    expect(page.querySelector('.locate')).toBeFalsy()
  })

  test('a first visit opens the city of the nearest cinema', async () => {
    wx.location = { latitude: 39.9, longitude: 116.4 }
    wx.route('GET', '/api/v1/cinemas', (req) => ({
      items: req.query.city ? [] : [{ id: 21, name: '北京影院', city: '北京', address: '', distance_m: 900 }],
    }))
    const page = await openPage('cinemas', {}, flush)
    expect(page.instance.data.city).toBe('北京')
    expect(wx.getStorageSync('seatcore.city')).toBe('北京')
  })

  test('allowing location later lists nearest first', async () => {
    const page = await openPage('cinemas', {}, flush)
    wx.location = { latitude: 31.2, longitude: 121.4 }
    await tap(page.querySelector('.locate'))
    await flush()
    expect(wx.requestsTo('GET', '/api/v1/cinemas').pop().query.lat).toBe('31.2')
    expect(page.querySelectorAll('.distance')).toHaveLength(2)
  })

  test('searches names, says so when nothing matches, and retries after an error', async () => {
    const page = await openPage('cinemas', {}, flush)
    page.instance.onQueryInput({ detail: { value: '大光明' } })
    await page.instance.search()
    await flush()
    expect(page.querySelectorAll('.cinema')).toHaveLength(1)
    page.instance.onQueryInput({ detail: { value: '没有的影院' } })
    await page.instance.search()
    await flush()
    expect(textOf(page, '.empty')).toMatch('没有找到相关影院')
    wx.route('GET', '/api/v1/cinemas', () => errorReply(503, 'upstream_unavailable'))
    await page.instance.search()
    await flush()
    expect(page.querySelector('.retry')).not.toBe(null)
    routeCatalogue(wx)
    page.instance.clearSearch()
    await tap(page.querySelector('.retry'))
    await flush()
    expect(page.querySelector('.error')).toBeFalsy()
    expect(page.querySelectorAll('.cinema')).toHaveLength(2)
  })
})

describe('showtimes', () => {
  test("a cinema's schedule by date: grouped by movie, times, hall, price, closed sales", async () => {
    const page = await openPage('showtimes', { cinema_id: '11' }, flush)
    expect(textOf(page, '.title')).toBe('万达影城')
    expect(page.querySelectorAll('.date')).toHaveLength(7)
    expect(textOf(page, '.date')).toMatch(/^今天/)
    const query = wx.requestsTo('GET', '/api/v1/showtimes')[0].query
    expect(query.cinema_id).toBe('11')
    expect(query.date).toMatch(/^\d{4}-\d\d-\d\d$/)
    expect(page.querySelectorAll('.group-title').map((g) => g.dom.textContent)).toEqual([
      '流浪地球',
      '满江红',
    ])
    expect(textOf(page, '.start')).toBe('19:30')
    expect(textOf(page, '.times .muted')).toBe('21:30散场')
    expect(textOf(page, '.price')).toBe('¥45起')
    await tap(page.querySelectorAll('.showtime')[1])
    expect(wx.calls.showToast.pop().title).toBe('这个场次已停止售票')
    await tap(page.querySelectorAll('.showtime')[0])
    expect(wx.calls.navigateTo.pop().url).toBe('/pages/seats/index?showtime_id=7')
    await tap(page.querySelectorAll('.date')[2])
    await flush()
    expect(wx.requestsTo('GET', '/api/v1/showtimes').pop().query.date).toBe(page.data.dates[2].date)
  })

  test("a movie's showtimes are grouped by cinema", async () => {
    const page = await openPage('showtimes', { movie_id: '1' }, flush)
    expect(textOf(page, '.title')).toBe('流浪地球')
    expect(page.querySelectorAll('.group-title').map((g) => g.dom.textContent)).toEqual([
      '万达影城',
      '大光明',
    ])
  })
})

describe('sharing', () => {
  test("a movie's card opens the movie", async () => {
    const page = await openPage('movie', { id: '1' }, flush)
    const card = page.instance.onShareAppMessage()
    expect(card.path).toBe('/pages/movie/index?id=1')
    expect(card.title).toBe('流浪地球 8.6分')
  })

  test("a schedule's card opens the same cinema and movie on the same day", async () => {
    const page = await openPage('showtimes', { cinema_id: '11', movie_id: '1' }, flush)
    const day = page.instance.data.dates[2].date
    await page.instance.pickDate({ currentTarget: { dataset: { date: day } } })
    const card = page.instance.onShareAppMessage()
    expect(card.path).toBe(`/pages/showtimes/index?cinema_id=11&movie_id=1&date=${day}`)
    const opened = await openPage('showtimes', { cinema_id: '11', movie_id: '1', date: day }, flush)
    expect(opened.instance.data.date).toBe(day)
  })
})
