/**
 * Globals of the mini-program runtime for jsdom tests: miniprogram-simulate provides
 * Component() (and the built-in tags); Page(), App() and getApp() are added here so the real
 * pages can be loaded as components (see pages.js).
 */
require('miniprogram-simulate')
const { installPageGlobals } = require('./pages')

installPageGlobals()
