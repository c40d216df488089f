/**
 * @module latchkey-client
 *
 * The package's entry point (require.js `packages` config: main 'index'; the
 * UMD build in dist/ returns the same object):
 *
 *   - `SessionModel`            the session of a Latchkey cookie-session API
 *                               (./session_model, ./session_state: headers, 401
 *                               handling, answers about another user;
 *                               ./email_recovery: email and recovery calls)
 *   - `UserModel`               the logged-in user's profile (id, username, name,
 *                               email, email_verified)
 *   - `DeviceSessionCollection` the user's sessions (devices)
 *   - `AuthEventCollection`     the user's recent account activity
 *   - `request`                 the wire helper (./api_request): error shape, CSRF,
 *                               the same-origin rule (`isSameOrigin`)
 *
 * (./tab_sync, which keeps the browser's tabs in step, is the session's own.)
 *
 * Create ONE SessionModel for the page, in a module of your own whose closure
 * holds it (see README.md): never on `window`, where any script could reach it.
 */
define(['./session_model', './user_model', './device_sessions', './auth_events', './api_request'],
function (SessionModel, UserModel, DeviceSessionCollection, AuthEventCollection, request) {
  'use strict';

  return {
    SessionModel: SessionModel,
    UserModel: UserModel,
    DeviceSessionCollection: DeviceSessionCollection,
    AuthEventCollection: AuthEventCollection,
    request: request
  };
});
