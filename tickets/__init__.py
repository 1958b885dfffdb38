"""The ticket portal's Django app. One way through, one package a step:

    views -> forms (validate, hand over a plain record) -> delivery (file it once) -> helpdesk (HTTP)
            -> embedding (framing, prefill, origin, language)       schema (fields, forms, sync)

- `views/` thin views; `embedding/` what lets a form live on another site; `forms/` field kinds
  and forms; `delivery/` a submission's life; `abuse/` the throttles; `schema/` the schema file;
  `helpdesk/` the API; `records` the plain records passed between them; `lib/` small helpers.
- Where Django expects them: `models`, `admin`, `apps`, `checks`, `urls`, `migrations/`,
  `management/`.

Imports run one way (docs/architecture.md; `make test` checks it with import-linter):
views > embedding > forms | delivery > abuse | schema > helpdesk > records | models > lib. Forms
and delivery never import each other, forms never the models or the helpdesk; nothing imports
sandbox.
"""
