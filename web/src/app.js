/**
 * @module app
 *
 * The application singleton. Only modules that list 'app' as a dependency can
 * reach it; nothing here is put on `window`. SessionModel comes from the client
 * package (clients/backbone, module id 'latchkey-client').
 *
 * @property {SessionModel} session the one session (session.user: UserModel)
 */
define(['latchkey-client'], function (client) {
  'use strict';

  return {
    session: new client.SessionModel(null, { apiRoot: '/api/auth' })
  };
});
