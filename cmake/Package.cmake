# The Debian package (issue 8): `cpack -G DEB` in a build directory where `latchkey` is built and
# `npm run build` has filled web/dist (scripts/package.sh does all three). The install rules
# below exist for the package: absolute paths (/etc, /lib/systemd) as Debian lays them out.
#
#   /usr/bin/latchkey                      the server (stripped; Depends from dpkg-shlibdeps)
#   /usr/share/latchkey/web/               the built client (index.html template, assets/)
#   /etc/latchkey/latchkey.toml            conffile; root:latchkey 0640 (postinst statoverride)
#   /lib/systemd/system/latchkey.service   runs `latchkey serve --config ...` as user latchkey
#   /usr/share/doc/latchkey/               README.md and docs/
# packaging/postinst, prerm, postrm: the system user, /var/lib/latchkey, the service state.

# cpack and `ninja install` install what is built and never start a build of every target
# (tests, benchmarks): scripts/package.sh builds the server alone first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(LATCHKEY_WEB_DIST "${CMAKE_SOURCE_DIR}/web/dist")
# The bundle and style sheet have content-hashed names: web/dist/manifest.json names them.
install(CODE "
  foreach(f index.html manifest.json assets/common-passwords.txt)
    if(NOT EXISTS \"${LATCHKEY_WEB_DIST}/\${f}\")
      message(FATAL_ERROR \"${LATCHKEY_WEB_DIST}/\${f} is missing: run `npm run build` first\")
    endif()
  endforeach()
  file(READ \"${LATCHKEY_WEB_DIST}/manifest.json\" manifest)
  foreach(name app.js app.css)
    string(JSON f ERROR_VARIABLE err GET \"\${manifest}\" \${name})
    if(err OR NOT EXISTS \"${LATCHKEY_WEB_DIST}/\${f}\")
      message(FATAL_ERROR \"${LATCHKEY_WEB_DIST}: \${name} (\${f}) is missing: run `npm run build`\")
    endif()
  endforeach()")
install(TARGETS latchkey RUNTIME DESTINATION bin)
install(DIRECTORY "${LATCHKEY_WEB_DIST}/" DESTINATION share/latchkey/web)
install(FILES packaging/latchkey.toml DESTINATION /etc/latchkey
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES packaging/latchkey.service DESTINATION /lib/systemd/system)
install(FILES README.md DESTINATION share/doc/latchkey)
# The built-in mail templates, for operators to copy into --mail-templates and edit.
install(DIRECTORY templates/mail/ DESTINATION share/doc/latchkey/mail-templates)
install(DIRECTORY docs/ DESTINATION share/doc/latchkey/docs)

set(LATCHKEY_PACKAGE_MAINTAINER "Latchkey maintainers <maintainers@latchkey.invalid>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME latchkey)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${LATCHKEY_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "authentication and session server for single-page web apps")
# The long description (CPackDeb puts the summary above it and indents it).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Latchkey gives a single-page web app signup, login, logout, profile and
password change and a list of its devices to revoke, as a JSON API with CSRF
protection, HMAC-signed session cookies backed by server-side sessions, and
argon2id password hashing. It stores its data in SQLite, or in PostgreSQL
for many nodes, and ships its own Backbone.js browser client.

The package runs it as the systemd service latchkey.service, as the system
user latchkey, configured by /etc/latchkey/latchkey.toml.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # latchkey_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries' packages come from dpkg-shlibdeps (dpkg-dev); the maintainer scripts
# need adduser, and init-system-helpers gives deb-systemd-helper/deb-systemd-invoke.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/conffiles;${CMAKE_SOURCE_DIR}/packaging/postinst;${CMAKE_SOURCE_DIR}/packaging/prerm;${CMAKE_SOURCE_DIR}/packaging/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
