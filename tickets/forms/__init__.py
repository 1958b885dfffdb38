"""Forms: what a person fills in, built from the schema, and everything that validates it.

- `kinds`: the portal's field kinds, one class per field_type (registered in tickets.schema.kinds).
- `fields`, `widgets`, `patterns`: the form fields and widgets the kinds use.
- `conditions`: show_if on the server and, as data, in the browser.
- `ticket`: TicketForm, which validates a POST and hands over a plain record.
- `staff`: StaffTicketForm, with every parameter an agent may set.
- `consent`: the box a form's schema may ask a customer to tick (never on a staff form).
- `building`: form classes built once per (form, audience); `layout`: their crispy layout.
- `tokens`: the signed one-time token each rendered form carries; `uploads`: the signed list of
  the files stored for it; `prefill`: the values a form starts with; `summary`: a payload for people.

Imports: `tickets.records`, `tickets.schema`, `tickets.lib`; never the helpdesk, the models or
delivery (a form gets the helpdesk's answers as records and hands over a record), embedding or
views.
"""
