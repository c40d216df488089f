/**
 * @module views/not_found_page
 *
 * NotFoundPageView: what the catch-all route shows.
 * Options: `path` {string} the unknown path, shown to the user.
 */
define(['backbone', 'templates/not_found_page'], function (Backbone, template) {
  'use strict';

  return Backbone.View.extend(/** @lends NotFoundPageView.prototype */ {
    initialize: function (options) {
      this.path = options.path;
    },

    /** @returns {NotFoundPageView} this */
    render: function () {
      this.$el.html(template({ path: this.path }));
      return this;
    }
  });
});
