/**
 * Messages in the user's language, keyed by the service's stable error codes (and a few of the
 * app's own). Chinese is the default; English when WeChat runs in English or config says so.
 *
 * Templates take `{name}` placeholders filled from the error's details (seats lists are joined).
 */
const config = require('../config')
const { dayAndClock } = require('./format')

const MESSAGES = {
  zh: {
    // Seat rules (409 from POST /holds).
    seat_unavailable: '座位{seats}已被他人选走，请换个座位',
    stranded_seat: '请不要留下单个空座（{seats}），换个选法吧',
    too_many_seats: '每单最多选{max_seats}个座位',
    hold_limit: '你在这个场次已有未支付的座位，请先支付或释放',
    couple_pair: '情侣座需要两个一起选',
    wheelchair_space: '这是轮椅位，确认需要无障碍座位后再选',
    no_block: '没有找到{count}个相连的空座，试试手动选座',
    sales_closed: '这个场次已停止售票',
    sales_not_open: '这个场次{opens}开售，到时再来选座',
    hold_expired: '座位锁定已超时，请重新选座',
    hold_not_owned: '这些座位不是你锁定的',
    hold_used: '这些座位已经下单，请到“我的订单”支付',
    extend_limit: '座位锁定时间不能再延长了',
    admission_required: '这个场次正在排队开售，请先排队，轮到你再选座',
    waiting_title: '排队购票',
    waiting_ahead: '前面还有',
    waiting_people: '人',
    waiting_eta: '预计等待',
    waiting_estimating: '正在估算',
    waiting_under_minute: '不到 1 分钟',
    waiting_minutes: '约 {m} 分钟',
    waiting_hours: '约 {h} 小时 {m} 分钟',
    waiting_before_open: '开售后随机排定先后，提前进入不会吃亏',
    waiting_opens_hint: '请保持本页打开，离开超过一会儿将失去排位',
    waiting_your_turn: '轮到你了！',
    waiting_go_seats: '正在进入选座…',
    waiting_reconnecting: '网络不稳，正在重新连接…',
    waiting_leave: '放弃排队',
    no_waiting_room: '这个场次没有排队，可以直接选座',
    // Orders and money.
    order_state: '订单状态已变化，请刷新后再试',
    order_exists: '这些座位已经下过单了，请在“我的订单”中支付',
    unpaid_order_exists: '你在这家影院还有一笔未支付的卖品订单，请先支付或取消',
    illegal_transition: '订单当前状态不允许这样操作',
    order_not_ticketed: '出票完成后才能退票',
    refund_failed: '退款没有成功，请稍后再试',
    payment_in_progress: '支付正在处理中，请稍候',
    // Members, points and coupons.
    not_a_member: '加入会员后才能使用积分',
    points_insufficient: '积分不足',
    points_over_cap: '这笔订单最多可用{max_points}积分',
    coupon_unavailable: '这张券已使用或正被其他订单占用',
    coupon_not_applicable: '这张券不适用于这个场次',
    coupon_min_spend: '未达到这张券的使用门槛',
    coupon_not_found: '没有找到这张券',
    out_of_stock: '券已领完',
    coupon_limit_reached: '你已领取过这张券',
    code_used: '这个兑换码已被使用',
    code_not_found: '兑换码无效',
    campaign_paused: '活动已暂停',
    campaign_not_running: '活动不在有效期内',
    ticket_not_live: '这张票已失效（已退票）',
    idempotency_conflict: '请求重复但内容不同，请刷新后再试',
    idempotency_in_progress: '上一次操作仍在处理中，请稍候',
    refund_closed: '已过退票时间（开场前{minutes}分钟截止）',
    refund_closed_at: '已过退票时间（{at}截止）',
    refund_premiere: '首映场次不支持退票',
    exchange_closed: '已过改签截止时间，不能再改签了',
    exchange_other_movie: '只能改签同一部电影的场次',
    exchange_other_cinema: '只能改签同一家影院的场次',
    exchange_same_showtime: '请选择其他场次',
    seat_count_differs: '改签需选择与原订单相同数量的座位',
    already_exchanged: '每个订单只能改签一次',
    exchange_in_progress: '改签正在处理中，请稍候',
    exchange_abandoned: '这次改签未完成，原票仍然有效',
    free_exchange_used: '本月免费改签次数刚刚用完，请按新的费用确认',
    snack_unavailable: '这个卖品已下架',
    snack_sold_out: '卖品库存不足，仅剩{left}份',
    snack_stock_busy: '卖品库存正在变化，请稍后再试',
    already_picked_up: '卖品已领取',
    snacks_picked_up: '卖品已领取，不能退款',
    payment_failed: '支付没有成功，请稍后再试',
    snacks_payment_cancelled: '你取消了支付，可以再次支付',
    snacks_order_expired: '订单已超时取消，请重新选择卖品',
    snacks_points_off: '{reason}。本单暂不使用积分',
    payment_cancelled: '你取消了支付，座位仍为你保留到倒计时结束',
    payment_pending: '支付结果确认中，请稍后在“我的订单”查看',
    // Generic service codes.
    not_found: '找不到这个内容，可能已下架',
    unauthorized: '请先登录',
    login_failed: '登录失败，请重试',
    forbidden: '没有权限这样做',
    rate_limited: '操作太频繁了，请{retry}再试',
    validation_failed: '提交的内容有误',
    bad_request: '请求有误',
    conflict: '操作冲突，请刷新后再试',
    upstream_unavailable: '服务暂时不可用，请稍后再试',
    internal_error: '服务出错了，请稍后再试',
    network_error: '网络不给力，请检查网络后重试',
    bad_response: '服务返回了无法识别的内容',
    // The app's own.
    no_seats_picked: '请先选择座位',
    seat_taken_live: '你选的座位{seats}刚被别人选走了',
    seat_not_free: '这个座位不可选',
    live_reconnecting: '实时座位连接中断，正在重连…',
    live_offline: '实时座位暂不可用，座位状态可能不是最新',
    unknown: '操作失败（{code}），请稍后再试',
    retry_soon: '稍后',
    retry_seconds: '{s}秒后',
    // Seat map labels.
    map_screen: '银幕',
    map_free: '可选',
    map_picked: '已选',
    map_held: '锁定中',
    map_sold: '已售',
    map_couple: '情侣座',
    map_wheelchair: '轮椅位',
    map_best: '推荐{count}人座',
    map_confirm: '确认选座',
    map_release: '释放座位',
    map_total: '合计',
    map_none: '点击座位开始选座',
    map_sales_closed: '本场已停售',
    // Orders.
    status_pending_payment: '待支付',
    status_paid: '已支付',
    status_ticketed: '已出票',
    status_cancelled: '已取消',
    status_expired: '已过期',
    status_refund_requested: '退款中',
    status_refunded: '已退款',
    snacks_order_title: '影院卖品',
    refund_policy: '开场{minutes}分钟前可申请退票，退款将原路退回；之后不可退票。',
    refund_confirm: '确定退票吗？退款将原路退回。',
    refund_done: '已申请退票',
    snacks_refund_policy: '卖品领取前可随时申请退款，全额原路退回；领取后不可退款。',
    snacks_refund_done: '已申请退款',
    refund_unavailable: '已过退票时间或订单不可退',
    paid: '支付成功',
    tickets_coming: '支付成功，正在出票…',
    reason_late_payment: '支付到账时座位锁定已结束，座位未能保留，全额退款',
    reason_seat_conflict: '有座位已被售出，全额退款',
    reason_requested: '已按你的申请退款',
    reason_staff: '影院已为你退款',
    reason_hold_expired: '未在锁座时间内支付',
    reason_cancelled: '支付前已取消',
  },
  en: {
    seat_unavailable: 'Seat {seats} was just taken, please pick another',
    stranded_seat: 'Please do not leave a single empty seat ({seats}); try another choice',
    too_many_seats: 'At most {max_seats} seats per order',
    hold_limit: 'You already hold seats for this showtime: pay for them or release them first',
    couple_pair: 'Couple seats are picked in pairs',
    wheelchair_space: 'This is a wheelchair space: confirm you need it first',
    no_block: 'No {count} free seats side by side; try picking by hand',
    sales_closed: 'Ticket sales for this showtime have closed',
    sales_not_open: 'Tickets for this showtime go on sale {opens}',
    hold_expired: 'Your seats were released because time ran out; please pick again',
    hold_not_owned: 'These seats are not held by you',
    hold_used: 'These seats are already in an order: pay for it in My orders',
    extend_limit: 'The hold cannot be extended any further',
    admission_required:
      'Sales for this showtime go through a queue: join it, and pick seats when it is your turn',
    waiting_title: 'In the queue',
    waiting_ahead: 'Ahead of you',
    waiting_people: 'people',
    waiting_eta: 'Estimated wait',
    waiting_estimating: 'estimating',
    waiting_under_minute: 'under a minute',
    waiting_minutes: 'about {m} min',
    waiting_hours: 'about {h} h {m} min',
    waiting_before_open: 'Places are drawn at random when sales open: coming early costs you nothing',
    waiting_opens_hint: 'Keep this page open: away for a while, you lose your place',
    waiting_your_turn: 'It is your turn!',
    waiting_go_seats: 'Taking you to the seats...',
    waiting_reconnecting: 'Connection unsteady, reconnecting...',
    waiting_leave: 'Leave the queue',
    no_waiting_room: 'This showtime has no queue: pick your seats',
    order_state: 'The order has changed; refresh and try again',
    order_exists: 'These seats are already in an order: pay for it in My orders',
    unpaid_order_exists: 'You have an unpaid snack order at this cinema: pay or cancel it first',
    illegal_transition: 'The order cannot do that in its current state',
    not_a_member: 'Join as a member to pay with points',
    points_insufficient: 'Not enough points',
    points_over_cap: 'This order takes at most {max_points} points',
    coupon_unavailable: 'This coupon is used or on another order',
    coupon_not_applicable: 'This coupon does not apply to this showtime',
    coupon_min_spend: "The order does not reach this coupon's minimum spend",
    coupon_not_found: 'No such coupon',
    out_of_stock: 'No coupons left',
    coupon_limit_reached: 'You already hold this coupon',
    code_used: 'This code was used already',
    code_not_found: 'No such code',
    campaign_paused: 'This campaign is paused',
    campaign_not_running: 'This campaign is not running now',
    order_not_ticketed: 'Refunds are possible once the tickets are issued',
    refund_failed: 'The refund did not go through; please try again later',
    payment_in_progress: 'The payment is being processed, please wait',
    ticket_not_live: 'This ticket is no longer valid (refunded)',
    idempotency_conflict: 'A repeated request differed from the first; refresh and try again',
    idempotency_in_progress: 'The previous attempt is still being processed, please wait',
    refund_closed: 'Refunds closed {minutes} minutes before the start',
    refund_closed_at: 'Refunds closed at {at}',
    refund_premiere: 'Premiere showtimes cannot be refunded',
    exchange_closed: 'Too late to exchange this order',
    exchange_other_movie: 'An exchange stays with the same movie',
    exchange_other_cinema: 'An exchange stays at the same cinema',
    exchange_same_showtime: 'Pick another showtime',
    seat_count_differs: 'Pick as many seats as the order has',
    already_exchanged: 'An order can be exchanged once',
    exchange_in_progress: 'The exchange is being processed, please wait',
    free_exchange_used: 'Your free exchange of the month was just used; confirm at the new fee',
    exchange_abandoned: 'The exchange did not complete; your tickets stay valid',
    snack_unavailable: 'This snack is no longer on sale',
    snack_sold_out: 'Not enough left: {left}',
    snack_stock_busy: 'The snack stock is changing; please try again',
    already_picked_up: 'Snacks already picked up',
    snacks_picked_up: 'The snacks were picked up; they cannot be refunded',
    payment_failed: 'The payment did not go through; please try again later',
    snacks_payment_cancelled: 'Payment cancelled; you can pay again',
    snacks_order_expired: 'The order timed out and was cancelled; please pick your snacks again',
    snacks_points_off: '{reason}. This order goes without points',
    payment_cancelled: 'Payment cancelled; your seats stay held until the countdown ends',
    payment_pending: 'Confirming the payment; check My orders shortly',
    not_found: 'Not found; it may have been removed',
    unauthorized: 'Please sign in first',
    login_failed: 'Sign-in failed, please try again',
    forbidden: 'You are not allowed to do that',
    rate_limited: 'Too many tries; please try again {retry}',
    validation_failed: 'Some of the input is not valid',
    bad_request: 'The request was not valid',
    conflict: 'Something changed meanwhile; refresh and try again',
    upstream_unavailable: 'The service is unavailable; please try again later',
    internal_error: 'Something went wrong on our side; please try again later',
    network_error: 'No connection; check the network and try again',
    bad_response: 'The service sent an answer the app does not understand',
    no_seats_picked: 'Pick your seats first',
    seat_taken_live: 'Seat {seats} you picked was just taken by someone else',
    seat_not_free: 'This seat cannot be picked',
    live_reconnecting: 'Live seat updates interrupted, reconnecting…',
    live_offline: 'Live seat updates unavailable; the map may be out of date',
    unknown: 'That did not work ({code}); please try again later',
    retry_soon: 'shortly',
    retry_seconds: 'in {s} s',
    map_screen: 'Screen',
    map_free: 'Free',
    map_picked: 'Picked',
    map_held: 'Held',
    map_sold: 'Sold',
    map_couple: 'Couple',
    map_wheelchair: 'Wheelchair',
    map_best: 'Best {count}',
    map_confirm: 'Confirm seats',
    map_release: 'Release seats',
    map_total: 'Total',
    map_none: 'Tap a seat to pick it',
    map_sales_closed: 'Sales closed',
    status_pending_payment: 'Awaiting payment',
    status_paid: 'Paid',
    status_ticketed: 'Ticketed',
    status_cancelled: 'Cancelled',
    status_expired: 'Expired',
    status_refund_requested: 'Refund requested',
    status_refunded: 'Refunded',
    snacks_order_title: 'Cinema snacks',
    refund_policy:
      'Refunds can be requested until {minutes} minutes before the start and go back to the original payment; no refunds after that.',
    refund_confirm: 'Request a refund? The money goes back to the original payment.',
    refund_done: 'Refund requested',
    snacks_refund_policy:
      'Snacks can be refunded in full until they are picked up, back to the original payment; not after.',
    snacks_refund_done: 'Refund requested',
    refund_unavailable: 'This order can no longer be refunded',
    paid: 'Paid',
    tickets_coming: 'Paid; issuing the tickets…',
    reason_late_payment:
      "The payment arrived after the seats' hold ended, so the seats could not be kept; fully refunded",
    reason_seat_conflict: 'A seat of this order had already been sold; fully refunded',
    reason_requested: 'Refunded at your request',
    reason_staff: 'Refunded by the cinema',
    reason_hold_expired: "Not paid before the seats' hold ended",
    reason_cancelled: 'Cancelled before payment',
  },
}

/** 'zh' or 'en': config first, then WeChat's language, Chinese when unsure. */
function currentLocale() {
  if (config.locale) return config.locale === 'en' ? 'en' : 'zh'
  let language = ''
  try {
    const info = wx.getAppBaseInfo ? wx.getAppBaseInfo() : wx.getSystemInfoSync()
    language = (info && info.language) || ''
  } catch (err) {
    language = ''
  }
  return /^en/i.test(language) ? 'en' : 'zh'
}

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => {
    const value = params[name]
    if (value === undefined || value === null) return ''
    return Array.isArray(value) ? value.join(sep(params)) : String(value)
  })
}

function sep(params) {
  return params.__locale === 'en' ? ', ' : '、'
}

/** The message for `key` in `locale` (default: the current one), or undefined when none exists. */
function t(key, params, locale) {
  const lang = locale || currentLocale()
  const template = MESSAGES[lang][key]
  if (template === undefined) return undefined
  return fill(template, Object.assign({ __locale: lang }, params || {}))
}

/**
 * What to tell the user about an error (an ApiError, or anything with a `code`).
 * Unknown codes fall back to the service's own (English) message in English, and to a
 * generic sentence naming the code in Chinese.
 */
function errorMessage(error, locale) {
  const lang = locale || currentLocale()
  const code = (error && error.code) || 'internal_error'
  const details = (error && error.details) || {}
  const params = Object.assign({}, details)
  if (code === 'rate_limited') {
    const s = (error && error.retryAfterS) || details.retry_after_s
    params.retry = s ? t('retry_seconds', { s }, lang) : t('retry_soon', {}, lang)
  }
  if (code === 'too_many_seats' && params.max_seats === undefined) params.max_seats = config.maxSeatsPerHold
  if (code === 'seat_unavailable' && !params.seats) params.seats = ''
  if (code === 'refund_closed' && params.minutes === undefined) params.minutes = config.refundUntilBeforeMin
  if (code === 'sales_not_open') params.opens = dayAndClock(details.opens_at) || ''
  // The stock moving under a retry: sold out without a count of what is left.
  if (code === 'snack_sold_out' && details.left === undefined) return t('snack_stock_busy', {}, lang)
  const known = t(code, params, lang)
  if (known !== undefined) return known.replace(/ {2,}/g, ' ').trim()
  if (lang === 'en' && error && error.message && error.message !== code) return error.message
  return t('unknown', { code }, lang)
}

/** Every `prefix_*` message without the prefix, for a template's labels: labels('map').screen. */
function labels(prefix, locale) {
  const lang = locale || currentLocale()
  const out = {}
  Object.keys(MESSAGES[lang])
    .filter((key) => key.startsWith(`${prefix}_`))
    .forEach((key) => {
      out[key.slice(prefix.length + 1)] = MESSAGES[lang][key]
    })
  return out
}

module.exports = { t, errorMessage, labels, currentLocale, MESSAGES }
