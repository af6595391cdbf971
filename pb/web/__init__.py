"""The web pages: one package per feature, each one blueprint with thin routes and forms.

A feature's package (`pb.web.<feature>`) defines its blueprint in `__init__`; its `routes`
modules read a request, call `pb.services`, and render a template or redirect. Shared by the
features: `access` (roles and the current user), `helpers` (template filters), `fragments`
(HTML pieces also sent live), `forms`, `errors`, `assets`, and `blueprints` (the list the app
factory mounts). Web code may import services, broadcast names, `pb.i18n`, models (to read)
and domain values; nothing in pb imports `pb.web` but the app factory.
"""
