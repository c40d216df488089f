/**
 * @module app
 *
 * The application singleton. Only modules that list 'app' as a dependency can
 * reach it; nothing here is put on `window`.
 *
 * @property {SessionModel} session the one session (session.user: UserModel)
 */
define(['lib/session_model'], function (SessionModel) {
  'use strict';

  return {
    session: new SessionModel(null, { apiRoot: '/api/auth' })
  };
});
