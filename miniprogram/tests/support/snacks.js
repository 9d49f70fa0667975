/** A cinema's snacks in the contract's shape (SNACKS_API.md: GET /api/v1/cinemas/{id}/snacks). */
const MENU = [
  {
    id: 7,
    kind: 'item',
    name: '爆米花（大）',
    description: '焦糖味',
    price_fen: 2800,
    picture_url: '/media/snacks/7-320.jpg',
    stock_left: 2,
    contents: [],
  },
  {
    id: 8,
    kind: 'combo',
    name: '双人观影套餐',
    description: '',
    price_fen: 4900,
    picture_url: null,
    stock_left: null,
    contents: [
      { name: '可乐', qty: 2 },
      { name: '爆米花（大）', qty: 1 },
    ],
  },
  {
    id: 9,
    kind: 'item',
    name: '矿泉水',
    description: '',
    price_fen: 500,
    picture_url: null,
    stock_left: 0,
    contents: [],
  },
]

module.exports = { MENU }
