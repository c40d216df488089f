/**
 * @module main
 *
 * Require.js configuration and boot: ask the server who we are (checkAuth),
 * then render the header and start the pushState router. The built bundle
 * (web/build.js) runs this file's require() call itself; the page needs no
 * inline script.
 */
requirejs.config({
  // Paths are relative to web/src; the build inlines every module, so the
  // browser never fetches them.
  paths: {
    jquery: '../../node_modules/jquery/dist/jquery',
    underscore: '../../node_modules/underscore/underscore-umd',
    backbone: '../../node_modules/backbone/backbone',
    parsley: '../../node_modules/parsleyjs/dist/parsley',
    uaparser: '../../node_modules/ua-parser-js/src/ua-parser'
  },
  // The Backbone client package (clients/backbone), installed by path as an npm dependency
  // ("@latchkey/backbone-client": "file:clients/backbone"), loaded as any app loads it.
  packages: [{
    name: 'latchkey-client',
    location: '../../node_modules/@latchkey/backbone-client/src',
    main: 'index'
  }]
});

require(['lib/link_token', 'jquery', 'backbone', 'app', 'router', 'views/header', 'views/verify_banner'],
function (linkToken, $, Backbone, app, Router, HeaderView, VerifyBannerView) {
  'use strict';

  // First of all: a mail link's token leaves the address bar (lib/link_token).
  linkToken.capture(window.location, window.history);

  // Our modules get jQuery and Backbone through require; drop the globals.
  $.noConflict(true);
  Backbone.noConflict();

  $(function () {
    new HeaderView({ el: $('#header') }).render();
    var banner = new VerifyBannerView();
    app.session.checkAuth().always(function () {
      new Router({ $main: $('#main'), $banner: banner.render().$el });
      Backbone.history.start({ pushState: true });
      // A link opened on the page it leads to changes only the fragment: same rule, then that page.
      window.addEventListener('hashchange', function () {
        if (linkToken.capture(window.location, window.history)) Backbone.history.loadUrl();
      });
    });
  });
});
