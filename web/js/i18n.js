/**
 * Words of the moviegoer pages, keyed like the service's stable error codes where they explain
 * one. Chinese by default; English when the browser prefers it (or `?lang=en`).
 */

const MESSAGES = {
  zh: {
    seat_unavailable: '座位{seats}已被他人选走，请换个座位',
    stranded_seat: '这样选会留下单个空座：{seats}。请连着选，或把这个空座也一起选上。',
    too_many_seats: '每单最多选{max}个座位',
    hold_limit: '你在这个场次已有锁定的座位，请先支付或释放',
    couple_pair: '情侣座需要两个一起选',
    wheelchair_space: '轮椅位仅供需要无障碍座位的观众选择',
    no_block: '没有找到{count}个相连的空座，试试手动选座',
    sales_closed: '这个场次已停止售票',
    hold_expired: '座位锁定已超时，请重新选座',
    hold_not_owned: '这些座位不是你锁定的',
    not_found: '找不到这个场次，可能已取消',
    unauthorized: '请先登录',
    login_failed: '登录失败，请重试',
    rate_limited: '操作太频繁了，请稍后再试',
    validation_failed: '提交的内容有误',
    network_error: '网络不给力，请检查网络后重试',
    unknown: '操作失败（{code}），请稍后再试',
    no_seats_picked: '请先选择座位',
    seat_taken_live: '你选的座位{seats}刚被别人选走了',
    rule_stranded: '选座规则：不能在所选座位与已占座位、过道或墙之间留下单个空座。',
    live_connecting: '正在连接实时座位…',
    live_live: '实时更新中',
    live_reconnecting: '实时连接中断，正在重连…',
    live_failed: '实时座位不可用，请刷新页面',
    screen: '银幕',
    legend_free: '可选',
    legend_picked: '已选',
    legend_mine: '我锁定的',
    legend_held: '他人锁定',
    legend_sold: '已售',
    legend_couple: '情侣座',
    legend_wheelchair: '轮椅位',
    hold: '锁定座位',
    holding: '锁定中…',
    release: '释放座位',
    extend: '延长',
    best: '推荐座位',
    best_count: '人数',
    total: '合计',
    pick_hint: '点击座位开始选座',
    my_hold: '已为你锁定 {seats}，请在 {time} 内完成支付',
    hold_gone: '座位锁定已结束',
    sign_in: '登录',
    sign_in_name: '昵称',
    signed_in_as: '已登录：{name}',
    sign_out: '退出',
    sales_closed_banner: '本场已停售',
    movies: '正在热映',
    showtimes: '选择场次',
    no_showtimes: '这一天没有场次',
    seats_left: '余{n}座',
    pick_seats: '选座',
    back: '返回',
    admission_required: '这个场次正在排队开售，轮到你再选座',
    waiting_title: '排队购票',
    waiting_ahead: '前面还有',
    waiting_people: '人',
    waiting_eta: '预计等待',
    waiting_estimating: '正在估算',
    waiting_under_minute: '不到 1 分钟',
    waiting_minutes: '约 {m} 分钟',
    waiting_hours: '约 {h} 小时 {m} 分钟',
    waiting_before_open: '开售后随机排定先后，提前进入不会吃亏',
    waiting_hint: '请保持本页打开，离开超过一会儿将失去排位',
    waiting_reconnecting: '网络不稳，正在重新连接…',
    waiting_your_turn: '轮到你了！',
    waiting_go_seats: '正在进入选座…',
    waiting_leave: '放弃排队',
  },
  en: {
    seat_unavailable: 'Seat {seats} was just taken, please pick another',
    stranded_seat:
      'That choice would leave a single empty seat: {seats}. Pick seats side by side, or take that seat too.',
    too_many_seats: 'At most {max} seats per order',
    hold_limit: 'You already hold seats for this showtime: pay for them or release them first',
    couple_pair: 'Couple seats are picked in pairs',
    wheelchair_space: 'Wheelchair spaces are for guests who need an accessible seat',
    no_block: 'No {count} free seats side by side; try picking by hand',
    sales_closed: 'Ticket sales for this showtime have closed',
    hold_expired: 'Your seats were released because time ran out; please pick again',
    hold_not_owned: 'These seats are not held by you',
    not_found: 'No such showtime; it may have been cancelled',
    unauthorized: 'Please sign in first',
    login_failed: 'Sign-in failed, please try again',
    rate_limited: 'Too many tries; please try again shortly',
    validation_failed: 'Some of the input is not valid',
    network_error: 'No connection; check the network and try again',
    unknown: 'That did not work ({code}); please try again later',
    no_seats_picked: 'Pick your seats first',
    seat_taken_live: 'Seat {seats} you picked was just taken by someone else',
    rule_stranded:
      'Seat rule: a selection may not leave one empty seat between it and a taken seat, an aisle or the wall.',
    live_connecting: 'Connecting to live seats…',
    live_live: 'Live',
    live_reconnecting: 'Live updates interrupted, reconnecting…',
    live_failed: 'Live seats unavailable; reload the page',
    screen: 'Screen',
    legend_free: 'Free',
    legend_picked: 'Picked',
    legend_mine: 'Held by me',
    legend_held: 'Held',
    legend_sold: 'Sold',
    legend_couple: 'Couple',
    legend_wheelchair: 'Wheelchair',
    hold: 'Hold seats',
    holding: 'Holding…',
    release: 'Release',
    extend: 'Extend',
    best: 'Best seats',
    best_count: 'Guests',
    total: 'Total',
    pick_hint: 'Tap a seat to pick it',
    my_hold: 'Held for you: {seats}. Pay within {time}',
    hold_gone: 'Your hold has ended',
    sign_in: 'Sign in',
    sign_in_name: 'Nickname',
    signed_in_as: 'Signed in: {name}',
    sign_out: 'Sign out',
    sales_closed_banner: 'Sales closed',
    movies: 'Now showing',
    showtimes: 'Showtimes',
    no_showtimes: 'No showtimes on this day',
    seats_left: '{n} seats left',
    pick_seats: 'Seats',
    back: 'Back',
    admission_required: 'Sales for this showtime go through a queue: pick seats when it is your turn',
    waiting_title: 'In the queue',
    waiting_ahead: 'Ahead of you',
    waiting_people: 'people',
    waiting_eta: 'Estimated wait',
    waiting_estimating: 'estimating',
    waiting_under_minute: 'under a minute',
    waiting_minutes: 'about {m} min',
    waiting_hours: 'about {h} h {m} min',
    waiting_before_open: 'Places are drawn at random when sales open: coming early costs you nothing',
    waiting_hint: 'Keep this page open: away for a while, you lose your place',
    waiting_reconnecting: 'Connection unsteady, reconnecting…',
    waiting_your_turn: 'It is your turn!',
    waiting_go_seats: 'Taking you to the seats…',
    waiting_leave: 'Leave the queue',
  },
}

export function locale() {
  const forced = new URLSearchParams(window.location.search).get('lang')
  if (forced === 'en' || forced === 'zh') return forced
  return /^en/i.test(navigator.language || '') ? 'en' : 'zh'
}

/** The message for `key`, `{name}` placeholders filled from `params` (lists joined). */
export function t(key, params = {}) {
  const lang = locale()
  const template = MESSAGES[lang][key]
  if (template === undefined) return undefined
  const joiner = lang === 'en' ? ', ' : '、'
  return template.replace(/\{(\w+)\}/g, (whole, name) => {
    const value = params[name]
    if (value === undefined || value === null) return ''
    return Array.isArray(value) ? value.join(joiner) : String(value)
  })
}

/** What to tell the moviegoer about a failed request (an ApiError or anything with a `code`). */
export function explain(error) {
  const code = (error && error.code) || 'unknown'
  const details = Object.assign({ max: 6, seats: '' }, (error && error.details) || {})
  return t(code, details) || t('unknown', { code })
}
