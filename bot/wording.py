"""Every sentence the bot says to a user, in one place: Dutch first, English where the user
wrote English.

Each table maps a language (``"nl"``, ``"en"``) to its sentences by key; the keys of the two
languages are the same (``tests/test_wording.py`` checks). A translator or an editor changes
wording here and nowhere else. The text uses Slack mrkdwn (``*bold*``, `` `code` ``); the
console shows it as is. Placeholders (``{name}``) are filled by :mod:`bot.render` (replies as
text), :mod:`bot.conversation` (button labels) and :mod:`bot.slack.blocks` (Block Kit).

* :data:`REPLIES`: answers, lookups, drafts, usage (all front ends).
* :data:`HELP`: the overview ``help`` shows.
* :data:`LIST`: the consent list's refresh and status, the school directory, links.
* :data:`ROWS`: rows of a list skipped or kept with a warning; a list that is unavailable.
* :data:`CHAT`: the conversation around requests, buttons, notes, the edit form, DMs, the
  App Home and the Slack-only explanations.
* :data:`CONSOLE`: the console's greeting and farewell.
* :data:`REPORT`: the question report and the request table (``python -m bot report|requests``).
"""
from __future__ import annotations

LANGS = ("nl", "en")
"""The languages the bot speaks; the first is the default."""

# -- replies: answers, lookups, drafts -----------------------------------------------------
REPLIES = {
    "nl": {
        "granted": "✅ *{name}*{place} staat op de lijst: de school heeft Studyspace toegang gegeven tot de Magister Public API{host}.",
        "host": " (Magister: {host})",
        "same_host": "Op dezelfde Magister-omgeving staan ook: {names}.",
        "place_unconfirmed": "Let op: de lijst noemt geen plaats bij deze school, dus of het de school in de plaats uit je vraag is, kan ik niet controleren.",
        "ambiguous": "Welke school bedoel je?",
        "not_found": "❌ *{query}* staat niet op de lijst van scholen die Studyspace toegang hebben gegeven. "
                     "Staat de school er onder een andere naam op? Zoek dan op de naam zoals Magister die toont, of op de Magister-host (`school.magister.net`).",
        "not_granted": "❌ *{name}*{place} staat niet op de lijst van scholen die Studyspace toegang hebben gegeven.",
        "not_granted_note": "De school staat wel in de scholenlijst van DUO: het is geen tikfout, ze heeft (nog) geen toegang gegeven.",
        "in_place": " in {city}",
        "unlisted": "niet op de lijst",
        "stale": " · ⚠️ mogelijk verouderd",
        "list_error": " · ⚠️ bijwerken mislukt, dit is de laatst goede lijst",
        "near": "Lijkt op: {names}.",
        "offer_draft": "Een verzoek aan de applicatiebeheerder van de school opstellen? Typ `verzoek {query}`.",
        "too_general": "*{query}* is te algemeen: dat past bij meer dan {n} scholen. Geef de naam van de school, eventueel met de plaats.",
        "no_name": "Daar kan ik geen schoolnaam in vinden. Typ bijvoorbeeld `school Cals College` of `school cals.magister.net`.",
        "host_not_listed": "❌ De Magister-omgeving *{query}* staat niet op de lijst van scholen die Studyspace toegang hebben gegeven.",
        "list": "_Lijst: {source} · {n} scholen · {age}{example}{directory}_",
        "directory": " · DUO-scholenlijst van {date}",
        "example": " · ⚠️ VOORBEELDLIJST, geen echte gegevens: stel CONSENT_LIST_URL of CONSENT_LIST_PATH in",
        "age_unknown": "leeftijd onbekend",
        "age_today": "bijgewerkt vandaag",
        "age_days": "bijgewerkt {d} dagen geleden",
        "age_day": "bijgewerkt gisteren",
        "ambiguous_q": "Bedoel je een van deze vragen?",
        "no_match": "Dat weet ik niet. Ik beantwoord vragen over de Magister koppeling van Studyspace, bijvoorbeeld:",
        "no_topic": "Waarmee kan ik helpen? Stel een vraag over de Magister koppeling, of typ `help`.",
        "ask_colleague": "Kom je er niet uit? Vraag het aan {contact}.",
        "related": "Zie ook: {items}",
        "links": "Bronnen: {items}",
        "draft_listed": "ℹ️ *{name}* staat al op de lijst: een verzoek is waarschijnlijk niet nodig.",
        "draft_head": "Concept-verzoek aan de applicatiebeheerder van *{school}*:",
        "draft_subject": "Onderwerp: {subject}",
        "draft_to": "Aan: {to}",
        "usage_school": "Welke school? Typ `school <naam>`, bijvoorbeeld `school Cals College`.",
        "usage_verzoek": "Voor welke school? Typ `verzoek <naam>`, bijvoorbeeld `verzoek Vossius Gymnasium`.",
    },
    "en": {
        "granted": "✅ *{name}*{place} is on the list: the school has granted Studyspace access to the Magister Public API{host}.",
        "host": " (Magister: {host})",
        "same_host": "The same Magister environment also serves: {names}.",
        "place_unconfirmed": "Note: the list gives no place for this school, so I can't check that it is the one in the place you named.",
        "ambiguous": "Which school do you mean?",
        "not_found": "❌ *{query}* is not on the list of schools that granted Studyspace access. "
                     "Is it listed under another name? Search for the name as Magister shows it, or for its Magister host (`school.magister.net`).",
        "not_granted": "❌ *{name}*{place} is not on the list of schools that granted Studyspace access.",
        "not_granted_note": "The school is in DUO's school directory: it is no typo, it has not granted access (yet).",
        "in_place": " in {city}",
        "unlisted": "not on the list",
        "stale": " · ⚠️ possibly out of date",
        "list_error": " · ⚠️ refresh failed, this is the last good list",
        "near": "Similar: {names}.",
        "offer_draft": "Draft a request to the school's applicatiebeheerder? Type `request {query}`.",
        "too_general": "*{query}* is too general: it fits more than {n} schools. Give the school's name, and its town if you like.",
        "no_name": "I can't find a school name in that. Type e.g. `school Cals College` or `school cals.magister.net`.",
        "host_not_listed": "❌ The Magister environment *{query}* is not on the list of schools that granted Studyspace access.",
        "list": "_List: {source} · {n} schools · {age}{example}{directory}_",
        "directory": " · DUO school list of {date}",
        "example": " · ⚠️ EXAMPLE LIST, not real data: set CONSENT_LIST_URL or CONSENT_LIST_PATH",
        "age_unknown": "age unknown",
        "age_today": "updated today",
        "age_days": "updated {d} days ago",
        "age_day": "updated yesterday",
        "ambiguous_q": "Do you mean one of these questions?",
        "no_match": "I don't know that. I answer questions about Studyspace's Magister connection, for example:",
        "no_topic": "How can I help? Ask a question about the Magister connection, or type `help`.",
        "ask_colleague": "Still stuck? Ask {contact}.",
        "related": "See also: {items}",
        "links": "Sources: {items}",
        "draft_listed": "ℹ️ *{name}* is already on the list: a request is probably not needed.",
        "draft_head": "Draft request to the applicatiebeheerder of *{school}*:",
        "draft_subject": "Subject: {subject}",
        "draft_to": "To: {to}",
        "usage_school": "Which school? Type `school <name>`, e.g. `school Cals College`.",
        "usage_verzoek": "For which school? Type `request <name>`, e.g. `request Vossius Gymnasium`.",
    },
}

HELP = {
    "nl": """Ik beantwoord vragen over de Magister koppeling van Studyspace.
• Stel een vraag, bijvoorbeeld: _Wat is de deadline?_ of _Is Studyspace geaccrediteerd?_
• `school <naam>`: heeft een school Studyspace toegang gegeven? Bijvoorbeeld `school Cals College` of `school cals.magister.net`.
• Of vraag het gewoon: _Heeft het Cals College al toestemming gegeven?_
• `verzoek <school>`: een concept-verzoek aan de applicatiebeheerder van de school.
• `help`: dit overzicht.""",
    "en": """I answer questions about Studyspace's Magister connection.
• Ask a question, e.g. _What is the deadline?_ or _Is Studyspace accredited?_
• `school <name>` (or `lookup <name>`): has a school granted Studyspace access? E.g. `school Cals College`.
• Or just ask: _Has Cals College granted consent?_
• `request <school>`: a draft request to the school's applicatiebeheerder.
• `help`: this overview.""",
}


# -- the consent list's source and the school directory (admin commands, announcements) ---
LIST = {
    "nl": {
        "updated": "✅ Lijst bijgewerkt: {n} scholen ({added} nieuw, {removed} verdwenen).",
        "first": "✅ Lijst opgehaald: {n} scholen.",
        "unchanged": "✅ Lijst ongewijzigd: {n} scholen, {age}.",
        "refused": "⚠️ Nieuwe lijst geweigerd: {error}\nDe huidige lijst blijft in gebruik ({n} scholen, {age}).",
        "failed": "⚠️ Lijst niet opgehaald: {error}\nDe huidige lijst blijft in gebruik ({n} scholen, {age}).",
        "no_source": "Geen bron ingesteld: de bot gebruikt de voorbeeldlijst. Stel CONSENT_LIST_URL of CONSENT_LIST_PATH in.",
        "warning": "⚠️ {error}",
        "added": "Nieuw: {names}",
        "removed": "Verdwenen: {names}",
        "renamed": "Hernoemd: {names}",
        "skipped": "{n} rijen overgeslagen:",
        "more": "… en nog {n}",
        "announce": "Nieuw op de lijst: {names}",
        "and": " en ",
        "s_source": "Bron: {source} ({kind})",
        "kinds": {"url": "URL", "path": "bestand", "sample": "voorbeeldlijst"},
        "s_in_use": "In gebruik: {line}",
        "s_fetched": "Opgehaald of bevestigd: {at}",
        "s_checked": "Laatste controle: {at} ({result})",
        "s_checked_never": "Laatste controle: nog niet",
        "s_error": "Laatste fout: {error} ({at})",
        "s_no_error": "Laatste fout: geen",
        "s_skipped": "Rijen overgeslagen in deze lijst: {n}",
        "s_cache": "Laatst goede kopie: {path}",
        "results": {"updated": "bijgewerkt", "unchanged": "ongewijzigd", "refused": "geweigerd", "failed": "mislukt",
                    "no_source": "geen bron"},
        "diff_head": "{old} ({n_old} scholen) → {new} ({n_new} scholen): {added} nieuw, {removed} verdwenen, "
                     "{changed} gewijzigd, {renamed} hernoemd, {kept} gebleven.",
        "import": "{n} vestigingen gelezen uit {file}: {added} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd. "
                  "De scholenlijst ({total} vestigingen) staat in {path}.",
        "links_head": "Koppelingen van {list} ({n} scholen) met de scholenlijst {directory} ({locations} vestigingen): "
                      "{exact} exact, {strong} sterk, {weak} zwak, {none} niet gekoppeld.",
        "links_none_directory": "Er is geen scholenlijst (DIRECTORY_PATH is leeg): niets te koppelen.",
        "kinds_link": {"exact": "exact", "strong": "sterk", "weak": "zwak", "none": "geen"},
        "unclear": "onduidelijk, past bij: {names}",
        "not_found_link": "geen school in de scholenlijst gevonden",
        "links_fix": "Een koppeling verbeteren: zet een regel in {path} (kolommen name, host, vestigingscodes; "
                     "lege vestigingscodes: nooit koppelen).",
        "evidence": {"code": "vestigingscode van de lijst", "host": "Magister-host in de scholenlijst",
                     "override": "handmatig", "name": "naam", "name_part": "naam deels",
                     "initials": "afkorting", "host_website": "host = website", "name_website": "naam = website",
                     "place": "plaats", "siblings": "zelfde bestuur als andere namen op de host",
                     "unique": "enige school met deze naam"},
        "update_updated": "✅ Scholenlijst bijgewerkt uit {source}: {n} vestigingen ({added} nieuw, {removed} verdwenen).",
        "update_unchanged": "✅ Scholenlijst ongewijzigd: {n} vestigingen, van {date}.",
        "update_refused": "⚠️ Nieuwe scholenlijst geweigerd: {error}\nDe huidige blijft in gebruik ({n} vestigingen, van {date}).",
        "update_failed": "⚠️ Scholenlijst niet opgehaald: {error}\nDe huidige blijft in gebruik ({n} vestigingen, van {date}).",
    },
    "en": {
        "updated": "✅ List updated: {n} schools ({added} new, {removed} gone).",
        "first": "✅ List fetched: {n} schools.",
        "unchanged": "✅ List unchanged: {n} schools, {age}.",
        "refused": "⚠️ New list refused: {error}\nThe current list stays in use ({n} schools, {age}).",
        "failed": "⚠️ List not fetched: {error}\nThe current list stays in use ({n} schools, {age}).",
        "no_source": "No source set: the bot uses the example list. Set CONSENT_LIST_URL or CONSENT_LIST_PATH.",
        "warning": "⚠️ {error}",
        "added": "New: {names}",
        "removed": "Gone: {names}",
        "renamed": "Renamed: {names}",
        "skipped": "{n} rows skipped:",
        "more": "… and {n} more",
        "announce": "New on the list: {names}",
        "and": " and ",
        "s_source": "Source: {source} ({kind})",
        "kinds": {"url": "URL", "path": "file", "sample": "example list"},
        "s_in_use": "In use: {line}",
        "s_fetched": "Fetched or confirmed: {at}",
        "s_checked": "Last check: {at} ({result})",
        "s_checked_never": "Last check: not yet",
        "s_error": "Last error: {error} ({at})",
        "s_no_error": "Last error: none",
        "s_skipped": "Rows skipped in this list: {n}",
        "s_cache": "Last good copy: {path}",
        "results": {"updated": "updated", "unchanged": "unchanged", "refused": "refused", "failed": "failed",
                    "no_source": "no source"},
        "diff_head": "{old} ({n_old} schools) → {new} ({n_new} schools): {added} new, {removed} gone, "
                     "{changed} changed, {renamed} renamed, {kept} kept.",
        "import": "{n} locations read from {file}: {added} new, {updated} updated, {unchanged} unchanged. "
                  "The school directory ({total} locations) is in {path}.",
        "links_head": "Links of {list} ({n} schools) to the school directory {directory} ({locations} locations): "
                      "{exact} exact, {strong} strong, {weak} weak, {none} not linked.",
        "links_none_directory": "There is no school directory (DIRECTORY_PATH is empty): nothing to link.",
        "kinds_link": {"exact": "exact", "strong": "strong", "weak": "weak", "none": "none"},
        "unclear": "unclear, fits: {names}",
        "not_found_link": "no school found in the directory",
        "links_fix": "To correct a link: add a row to {path} (columns name, host, vestigingscodes; empty "
                     "vestigingscodes: never link).",
        "evidence": {"code": "the list's vestigingscode", "host": "Magister host in the directory",
                     "override": "by hand", "name": "name", "name_part": "part of the name",
                     "initials": "initials", "host_website": "host = website", "name_website": "name = website",
                     "place": "place", "siblings": "same board as other names on the host",
                     "unique": "the only school of this name"},
        "update_updated": "✅ School directory updated from {source}: {n} locations ({added} new, {removed} gone).",
        "update_unchanged": "✅ School directory unchanged: {n} locations, of {date}.",
        "update_refused": "⚠️ New school directory refused: {error}\nThe current one stays in use ({n} locations, of {date}).",
        "update_failed": "⚠️ School directory not fetched: {error}\nThe current one stays in use ({n} locations, of {date}).",
    },
}


# -- rows skipped or kept with a warning, and a list that is unavailable ---------------------
ROWS = {
    "nl": {
        "skipped": "Rijen overgeslagen in deze lijst: {n}",
        "warned": "Rijen ingelezen met een waarschuwing: {n}",
        "more": "… en {n} meer",
        "unavailable": "Geen lijst in gebruik: er is nog geen goede lijst ({error}). Opzoekingen geven geen "
                       "oordeel tot het ophalen lukt.",
        "failed_unavailable": "⚠️ Lijst niet opgehaald: {error}\nEr is nog geen goede lijst: opzoekingen geven "
                              "geen oordeel tot het ophalen lukt.",
        "stderr": "let op: {source}: {n} rijen overgeslagen ({reasons}{more})",
        "stderr_warned": "{n} rijen ingelezen met een waarschuwing ({reasons}{more})",
        "stderr_hint": "; zie `{hint}`",
    },
    "en": {
        "skipped": "Rows skipped in this list: {n}",
        "warned": "Rows read with a warning: {n}",
        "more": "… and {n} more",
        "unavailable": "No list in use: there is no good list yet ({error}). Lookups give no verdict until a "
                       "fetch succeeds.",
        "failed_unavailable": "⚠️ List not fetched: {error}\nThere is no good list yet: lookups give no verdict "
                              "until a fetch succeeds.",
        "stderr": "note: {source}: {n} rows skipped ({reasons}{more})",
        "stderr_warned": "{n} rows read with a warning ({reasons}{more})",
        "stderr_hint": "; see `{hint}`",
    },
}


# -- the conversation: buttons, notes, requests, the edit form, DMs, App Home, Slack help -----
CHAT = {
    "nl": {
        "up": "👍 Nuttig",
        "down": "👎 Niet nuttig",
        "thanks": "Bedankt voor je feedback!",
        "draft_button": "Verzoek opstellen",
        "edit": "Bewerken",
        "post": "Plaatsen in kanaal",
        "mail": "Openen in e-mail",
        "mail_short": "E-mail openen (zonder tekst)",
        "mail_long": "_De tekst is te lang voor een e-maillink: kopieer hem in je e-mail._",
        "to": "*Aan:* {to}",
        "no_to": "_Nog geen ontvanger: vul via *Bewerken* het e-mailadres van de applicatiebeheerder in._",
        "no_to_posted": "_Nog geen ontvanger: vul in je e-mail het adres van de applicatiebeheerder in._",
        "subject": "*Onderwerp:* {subject}",
        "modal_title": "Verzoek bewerken",
        "modal_submit": "Opslaan",
        "modal_close": "Annuleren",
        "label_to": "Aan (e-mailadres van de applicatiebeheerder)",
        "label_subject": "Onderwerp",
        "label_body": "Tekst",
        "hint_to": "Mag leeg blijven; dan vul je het adres in je e-mailprogramma in.",
        "bad_email": "Dat is geen geldig e-mailadres, bijvoorbeeld applicatiebeheer@school.nl.",
        "empty_subject": "Vul een onderwerp in.",
        "long_subject": "Het onderwerp mag hoogstens {n} tekens zijn.",
        "empty_body": "De tekst mag niet leeg zijn.",
        "posted_head": "📨 Verzoek aan de applicatiebeheerder van *{school}*, opgesteld door {name}. Wie verstuurt het?",
        "posted_ok": "✅ Geplaatst in dit kanaal.",
        "saved": "✅ Opgeslagen.",
        "not_in_channel": "Ik kan niet in dit kanaal posten. Nodig me eerst uit (`/invite @Magister-koppeling`), "
                          "of kopieer de tekst.",
        "error_slack": "Sorry, dat lukte niet door een storing bij Slack. Probeer het zo nog eens.",
        "error": "Sorry, er ging iets mis. Probeer het nog eens, of formuleer het anders.",
        "unknown": "Ik ken `{word}` niet als opdracht. Zo werkt het:",
        "shortened": "… _(ingekort: de tekst is te lang voor één bericht)_",
        "home_title": "Magister-koppeling bot",
        "home_list": "*Toestemmingslijst*",
        "slack_intro": "*Zo vraag je het mij in Slack*\n"
                       "• Noem mij in een kanaal: `@Magister-koppeling wat is de deadline?` Ik antwoord in de thread.\n"
                       "• Stuur mij een direct bericht.\n"
                       "• Of typ `/magister <vraag>`: dan ziet alleen jij het antwoord.\n"
                       "• `/magister school <naam>` zoekt een school op, `/magister verzoek <school>` stelt een verzoek op, "
                       "`/magister verzoeken` toont de open verzoeken, `/magister help` toont dit overzicht. "
                       "Engelse namen werken ook: `lookup`, `request`, `requests`, `help`.\n"
                       "• Beheerders: `/magister lijst vernieuwen` haalt de toestemmingslijst nu op, "
                       "`/magister lijst status` laat zien hoe ze ervoor staat.",
        "slack_outro": "Onder een antwoord staan 👍/👎: zo hoor ik of het hielp. Een verzoek kun je *bewerken*, "
                       "*in het kanaal plaatsen* zodat een collega het verstuurt, *in je e-mail openen* of "
                       "*als verstuurd markeren*. Ik houd verstuurde verzoeken bij: je krijgt een bericht zodra de school "
                       "op de lijst staat, en één herinnering als dat lang duurt.",
        "mark": "Markeer als verstuurd",
        "posted_tracked": "✅ Geplaatst in dit kanaal. Ik houd het verzoek bij en laat je weten wanneer *{school}* "
                          "toestemming geeft.",
        "marked_ok": "✅ Genoteerd als verstuurd. Ik laat je weten wanneer *{school}* toestemming geeft.",
        "posted_untracked": "✅ Geplaatst in dit kanaal. ⚠️ Sorry, ik kon het verzoek niet bijhouden door een "
                            "opslagprobleem.",
        "store_error": "Sorry, ik kan verzoeken nu niet bijhouden door een opslagprobleem. Vragen beantwoord ik "
                       "gewoon; probeer het later nog eens.",
        "already_open": "ℹ️ Er loopt al een verzoek voor *{school}*: {ref}. Ik heb niets geplaatst of genoteerd.",
        "already_mine": "ℹ️ Je verzoek voor *{school}* staat al genoteerd: {ref}.",
        "already_listed": "ℹ️ *{school}* staat al op de lijst: de school heeft Studyspace al toegang gegeven. "
                          "Ik heb niets genoteerd.",
        "draft_open": "ℹ️ Er loopt al een verzoek voor *{school}*: {ref}.",
        "ref_sent": "verstuurd op {date} door {user}",
        "ref_drafted": "opgesteld op {date} door {user}",
        "ref_in": " in {channel}",
        "ref_link": " (<{url}|bekijk het bericht>)",
        "someone": "een collega",
        "requests_head": "*Open verzoeken* ({n}, oudste eerst)",
        "requests_none": "Er zijn geen open verzoeken. Een verzoek komt op deze lijst zodra iemand het in een kanaal "
                         "plaatst of als verstuurd markeert.",
        "request_line": "• *{school}*: {state} {age}{by}{where}{reminded}",
        "by": " door {user}",
        "state_sent": "verstuurd",
        "state_drafted": "opgesteld",
        "reminded": " · ⏰ herinnerd",
        "age_today": "vandaag",
        "age_day": "gisteren",
        "age_days": "{d} dagen geleden",
        "granted_dm": "🎉 *{school}* heeft toestemming gegeven: de school staat nu op de lijst van scholen die "
                      "Studyspace toegang hebben gegeven. Je verzoek van {date} is afgesloten.",
        "reminder_dm": "⏰ Je verzoek aan *{school}* is op {date} verstuurd, {d} dagen geleden, en de school staat nog "
                       "niet op de lijst. Hieronder staat het verzoek, klaar om opnieuw te versturen. "
                       "Dit is de enige herinnering.",
        "admin_only": "Sorry, alleen beheerders kunnen de toestemmingslijst vernieuwen of de status ervan bekijken.",
        "admin_only_contact": "Sorry, alleen beheerders kunnen de toestemmingslijst vernieuwen of de status ervan "
                              "bekijken. Vraag het aan {contact}.",
        "home_requests": "*Jouw open verzoeken*",
        "home_no_requests": "Je hebt geen open verzoeken.",
        "home_requests_error": "_Je verzoeken kan ik nu niet tonen (opslagprobleem)._",
        "list_unavailable": "⚠️ De toestemmingslijst is nu niet beschikbaar, dus ik kan niet zeggen of *{query}* "
                            "Studyspace toegang heeft gegeven. Probeer het later nog eens.",
        "list_unavailable_why": "Reden: {error}. Een beheerder kan de lijst ophalen met `/magister lijst vernieuwen`.",
        "home_list_unavailable": "⚠️ Niet beschikbaar: er is nog geen goede lijst ({error}). Opzoekingen geven geen "
                                 "oordeel tot het ophalen lukt.",
        "draft_unverified": "⚠️ De toestemmingslijst is nu niet beschikbaar: ik kon niet nagaan of de school al op "
                            "de lijst staat.",
        "edit_invalid": "Niet opgeslagen: {errors}",
        "edit_not_kept": "Niet opgeslagen: door een opslagprobleem kan ik je wijziging nu niet bewaren. Probeer het "
                         "later nog eens.",
    },
    "en": {
        "up": "👍 Helpful",
        "down": "👎 Not helpful",
        "thanks": "Thanks for your feedback!",
        "draft_button": "Draft a request",
        "edit": "Edit",
        "post": "Post in channel",
        "mail": "Open in e-mail",
        "mail_short": "Open e-mail (without text)",
        "mail_long": "_The text is too long for an e-mail link: copy it into your e-mail._",
        "to": "*To:* {to}",
        "no_to": "_No recipient yet: add the applicatiebeheerder's e-mail address with *Edit*._",
        "no_to_posted": "_No recipient yet: add the applicatiebeheerder's address in your e-mail._",
        "subject": "*Subject:* {subject}",
        "modal_title": "Edit request",
        "modal_submit": "Save",
        "modal_close": "Cancel",
        "label_to": "To (the applicatiebeheerder's e-mail address)",
        "label_subject": "Subject",
        "label_body": "Text",
        "hint_to": "May stay empty; then fill in the address in your e-mail program.",
        "bad_email": "That is not a valid e-mail address, e.g. applicatiebeheer@school.nl.",
        "empty_subject": "Fill in a subject.",
        "long_subject": "The subject may be at most {n} characters.",
        "empty_body": "The text must not be empty.",
        "posted_head": "📨 Request to the applicatiebeheerder of *{school}*, drafted by {name}. Who sends it?",
        "posted_ok": "✅ Posted in this channel.",
        "saved": "✅ Saved.",
        "not_in_channel": "I can't post in this channel. Invite me first (`/invite @Magister-koppeling`), or copy the text.",
        "error_slack": "Sorry, that failed because of a problem at Slack. Please try again in a moment.",
        "error": "Sorry, something went wrong. Please try again, or phrase it differently.",
        "unknown": "I don't know `{word}` as a command. This is how it works:",
        "shortened": "… _(shortened: the text is too long for one message)_",
        "home_title": "Magister-koppeling bot",
        "home_list": "*Consent list*",
        "slack_intro": "*How to ask me in Slack*\n"
                       "• Mention me in a channel: `@Magister-koppeling what is the deadline?` I answer in the thread.\n"
                       "• Send me a direct message.\n"
                       "• Or type `/magister <question>`: only you see the answer.\n"
                       "• `/magister lookup <name>` looks a school up, `/magister request <school>` drafts a request, "
                       "`/magister requests` lists the open requests, `/magister help` shows this overview.\n"
                       "• Admins: `/magister list refresh` fetches the consent list now, `/magister list status` "
                       "shows how it stands.",
        "slack_outro": "Under an answer you find 👍/👎: that tells me whether it helped. A request can be *edited*, "
                       "*posted in the channel* so a colleague sends it, *opened in your e-mail* or *marked as sent*. "
                       "I keep track of sent requests: you hear from me when the school is on the list, and get one "
                       "reminder when that takes long.",
        "mark": "Mark as sent",
        "posted_tracked": "✅ Posted in this channel. I keep track of the request and let you know when *{school}* "
                          "grants consent.",
        "marked_ok": "✅ Marked as sent. I'll let you know when *{school}* grants consent.",
        "posted_untracked": "✅ Posted in this channel. ⚠️ Sorry, I could not keep track of the request because of a "
                            "storage problem.",
        "store_error": "Sorry, I can't keep track of requests right now because of a storage problem. I still answer "
                       "questions; please try again later.",
        "already_open": "ℹ️ There is already a request for *{school}*: {ref}. I posted and recorded nothing.",
        "already_mine": "ℹ️ Your request for *{school}* is already recorded: {ref}.",
        "already_listed": "ℹ️ *{school}* is already on the list: the school has granted Studyspace access. "
                          "I recorded nothing.",
        "draft_open": "ℹ️ There is already a request for *{school}*: {ref}.",
        "ref_sent": "sent on {date} by {user}",
        "ref_drafted": "drafted on {date} by {user}",
        "ref_in": " in {channel}",
        "ref_link": " (<{url}|see the message>)",
        "someone": "a colleague",
        "requests_head": "*Open requests* ({n}, oldest first)",
        "requests_none": "There are no open requests. A request is listed here once someone posts it in a channel or "
                         "marks it as sent.",
        "request_line": "• *{school}*: {state} {age}{by}{where}{reminded}",
        "by": " by {user}",
        "state_sent": "sent",
        "state_drafted": "drafted",
        "reminded": " · ⏰ reminded",
        "age_today": "today",
        "age_day": "yesterday",
        "age_days": "{d} days ago",
        "granted_dm": "🎉 *{school}* has granted consent: the school is now on the list of schools that granted "
                      "Studyspace access. Your request of {date} is closed.",
        "reminder_dm": "⏰ Your request to *{school}* was sent on {date}, {d} days ago, and the school is not on the "
                       "list yet. Below is the request, ready to send again. This is the only reminder.",
        "admin_only": "Sorry, only admins can refresh the consent list or see its status.",
        "admin_only_contact": "Sorry, only admins can refresh the consent list or see its status. Ask {contact}.",
        "home_requests": "*Your open requests*",
        "home_no_requests": "You have no open requests.",
        "home_requests_error": "_I can't show your requests right now (storage problem)._",
        "list_unavailable": "⚠️ The consent list is not available right now, so I can't tell whether *{query}* has "
                            "granted Studyspace access. Please try again later.",
        "list_unavailable_why": "Reason: {error}. An admin can fetch the list with `/magister list refresh`.",
        "home_list_unavailable": "⚠️ Not available: there is no good list yet ({error}). Lookups give no verdict "
                                 "until a fetch succeeds.",
        "draft_unverified": "⚠️ The consent list is not available right now: I could not check whether the school "
                            "is on it already.",
        "edit_invalid": "Not saved: {errors}",
        "edit_not_kept": "Not saved: because of a storage problem I can't keep your edit right now. Please try again "
                         "later.",
    },
}


MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
"""Month names, for dates in replies ("3 december 2026")."""

# -- the console ----------------------------------------------------------------------------
CONSOLE = {
    "nl": {
        "hello": "Magister-koppeling bot (console). Typ een vraag, `school <naam>`, `verzoek <school>`, `verzoeken`, "
                 "`help` of `quit`. Een genummerde keuze kies je met haar nummer.",
        "bye": "Tot ziens!",
        "failed": "Er ging iets mis met dit bericht; probeer het anders te formuleren.",
        "choices": "Kies met een nummer:",
        "no_choice": "Er is geen keuze {n}. Typ een van de nummers hierboven, of een nieuwe vraag.",
        "link": "{label}: {url}",
        "edit_head": "Verzoek bewerken. Enter laat een veld zoals het is.",
        "edit_to": "Aan [{value}]: ",
        "edit_subject": "Onderwerp [{value}]: ",
        "edit_body": "Tekst (nieuwe tekst, eindig met een regel met alleen een punt; Enter: ongewijzigd):",
    },
    "en": {
        "hello": "Magister-koppeling bot (console). Type a question, `school <name>`, `request <school>`, `requests`, "
                 "`help` or `quit`. Pick a numbered choice by its number.",
        "bye": "Goodbye!",
        "failed": "Something went wrong with this message; please phrase it differently.",
        "choices": "Pick one by its number:",
        "no_choice": "There is no choice {n}. Type one of the numbers above, or a new question.",
        "link": "{label}: {url}",
        "edit_head": "Edit the request. Enter keeps a field as it is.",
        "edit_to": "To [{value}]: ",
        "edit_subject": "Subject [{value}]: ",
        "edit_body": "Text (new text, end with a line holding only a dot; Enter: unchanged):",
    },
}

# -- the question report and the request table (python -m bot report questions, requests list) ----
REPORT = {
    "nl": {
        "status": {"answered": "beantwoord", "ambiguous": "twijfel", "no_match": "geen antwoord"},
        "request_status": {"drafted": "concept", "sent": "verstuurd", "granted": "toestemming",
                           "withdrawn": "ingetrokken"},
        "title": "Vragenrapport {since} t/m {until} ({days} dagen)",
        "none": "Geen vragen in deze periode.",
        "totals": "{n} vragen · {counts} · 👍 {up} · 👎 {down}",
        "rate": "Antwoordpercentage: {pct}",
        "groups": "Onbeantwoorde en twijfelvragen, gegroepeerd ({n} groepen). Elke groep: een alternatieve "
                  "formulering voor een bestaand item, of een ontbrekend item.",
        "group": "{i:>3}. {count}× ({statuses}; laatst {last}{near})",
        "near": "; dichtstbij: {entries}",
        "more": "       … en {n} andere formuleringen",
        "no_groups": "Geen onbeantwoorde of twijfelvragen.",
        "negative": "Items met 👎:",
        "no_entry": "(geen item)",
        "no_negative": "Geen items met 👎.",
        "no_requests": "Geen verzoeken.",
        "columns": ("nr", "status", "school", "Magister", "aangevraagd door", "aangemaakt", "verstuurd", "dagen"),
    },
    "en": {
        "status": {"answered": "answered", "ambiguous": "unsure", "no_match": "no answer"},
        "request_status": {"drafted": "drafted", "sent": "sent", "granted": "granted", "withdrawn": "withdrawn"},
        "title": "Question report {since} to {until} ({days} days)",
        "none": "No questions in this period.",
        "totals": "{n} questions · {counts} · 👍 {up} · 👎 {down}",
        "rate": "Answer rate: {pct}",
        "groups": "Unanswered and unsure questions, grouped ({n} groups). Each group: another phrasing of an "
                  "existing entry, or a missing entry.",
        "group": "{i:>3}. {count}× ({statuses}; last {last}{near})",
        "near": "; closest: {entries}",
        "more": "       … and {n} other phrasings",
        "no_groups": "No unanswered or unsure questions.",
        "negative": "Entries with 👎:",
        "no_entry": "(no entry)",
        "no_negative": "No entries with 👎.",
        "no_requests": "No requests.",
        "columns": ("no", "status", "school", "Magister", "requested by", "created", "sent", "days"),
    },
}

# The admins' review of the question log (bot/review.py; Slack: the weekly DM, the App Home,
# /magister nakijken; the console: nakijken).
REVIEW = {
    "nl": {
        "head": "*Vragen om na te kijken* ({since} t/m {until}): wat ik niet kon beantwoorden, waarover ik "
                "twijfelde en wat 👎 kreeg, het grootst eerst. Voeg de vragen toe aan een bestaande vraag, maak er "
                "een nieuwe vraag van, of negeer ze.",
        "none": "Niets na te kijken van {since} t/m {until}: alle vragen zijn beantwoord of al bekeken.",
        "unanswered": "*{n}×* niet beantwoord",
        "ambiguous": "*{n}×* \"bedoel je…?\"",
        "down": "*{n}×* 👎 op het antwoord op _{question}_",
        "near": " · het dichtst bij: _{question}_",
        "answer_given": "Gegeven antwoord: {answer}",
        "more_questions": "… en nog {n} andere formulering(en)",
        "more_items": "… en nog {n} groep(en); `python -m bot report questions` toont alles.",
        "add": "Toevoegen aan…",
        "new": "Nieuwe vraag",
        "ignore": "Negeren",
        "publish": "Publiceren",
        "draft_label": "{question} (concept)",
        "drafts_head": "*Concepten*: ik beantwoord ze pas als een beheerder ze publiceert.",
        "draft_line": "• `{id}`: {question}",
        "draft_no_en": " (Engels ontbreekt nog: *Publiceren* vraagt erom)",
        "home_head": "Kennisbank nakijken (beheerders)",
        "added": "✅ {n} formulering(en) toegevoegd aan _{question}_. Ik leer ze nu; over een minuut of zo beantwoord "
                 "ik ze.",
        "skipped": "Overgeslagen: {skipped}.",
        "nothing_added": "Niets toegevoegd. {skipped}",
        "refused": "⚠️ Niet opgeslagen, de kennisbank is niet veranderd: {reason}",
        "ignored": "🙈 Genegeerd: deze vragen komen niet meer terug in het overzicht.",
        "draft_saved": "📝 Concept `{id}` opgeslagen. Ik beantwoord het pas als een beheerder het publiceert "
                       "(*Publiceren* in de App Home of onder `/magister nakijken`).",
        "published": "✅ `{id}` is gepubliceerd. Ik leer het nu; over een minuut of zo beantwoord ik het.",
        "expired": "Dit overzicht is verlopen. Open de App Home of typ `/magister nakijken` voor een nieuw.",
        "no_draft": "Er is geen concept `{id}` (meer).",
        "incomplete": "Vul een vraag en een antwoord in het Nederlands in.",
        "incomplete_en": "Vul ook de vraag en het antwoord in het Engels in: zonder kan ik het niet publiceren.",
        "no_forms": "Dat formulier kan hier niet; gebruik Slack, of `python -m bot knowledge import`.",
        "store_error": "Sorry, ik kan het vragenlog nu niet lezen of bijwerken. Probeer het later nog eens.",
        "form_title": "Nieuwe vraag",
        "form_title_publish": "Concept publiceren",
        "form_submit": "Opslaan",
        "form_submit_publish": "Publiceren",
        "form_close": "Annuleren",
        "form_intro": "Ik bewaar dit als *concept*: ik beantwoord het pas als een beheerder het publiceert.",
        "form_intro_publish": "Vul het Engels aan; daarna beantwoord ik `{id}` in beide talen.",
        "label_q_nl": "Vraag (Nederlands)",
        "label_a_nl": "Antwoord (Nederlands)",
        "label_q_en": "Vraag (Engels)",
        "label_a_en": "Antwoord (Engels)",
        "hint_en": "Mag leeg blijven; nodig om te publiceren.",
        "pick_entry": "Aan welke vraag toevoegen? Typ het nummer:",
        "admin_only": "Sorry, alleen beheerders kunnen de vragen nakijken en de kennisbank aanvullen.",
    },
    "en": {
        "head": "*Questions to review* ({since} to {until}): what I could not answer, was unsure of or got 👎, "
                "biggest first. Add the questions to an existing question, make a new question of them, or ignore "
                "them.",
        "none": "Nothing to review from {since} to {until}: every question was answered or reviewed already.",
        "unanswered": "*{n}×* not answered",
        "ambiguous": "*{n}×* \"did you mean…?\"",
        "down": "*{n}×* 👎 on the answer to _{question}_",
        "near": " · closest: _{question}_",
        "answer_given": "Answer given: {answer}",
        "more_questions": "… and {n} other phrasing(s)",
        "more_items": "… and {n} more group(s); `python -m bot report questions` shows them all.",
        "add": "Add to…",
        "new": "New question",
        "ignore": "Ignore",
        "publish": "Publish",
        "draft_label": "{question} (draft)",
        "drafts_head": "*Drafts*: I answer them only once an admin publishes them.",
        "draft_line": "• `{id}`: {question}",
        "draft_no_en": " (English still missing: *Publish* asks for it)",
        "home_head": "Review the knowledge base (admins)",
        "added": "✅ Added {n} phrasing(s) to _{question}_. I am learning them now; in a minute or so I answer them.",
        "skipped": "Skipped: {skipped}.",
        "nothing_added": "Nothing added. {skipped}",
        "refused": "⚠️ Not saved, the knowledge base is unchanged: {reason}",
        "ignored": "🙈 Ignored: these questions will not come back in the review.",
        "draft_saved": "📝 Saved draft `{id}`. I answer it only once an admin publishes it (*Publish* in the App "
                       "Home or under `/magister review`).",
        "published": "✅ `{id}` is published. I am learning it now; in a minute or so I answer it.",
        "expired": "This review has expired. Open the App Home or type `/magister review` for a new one.",
        "no_draft": "There is no draft `{id}` (any more).",
        "incomplete": "Fill in a question and an answer in Dutch.",
        "incomplete_en": "Fill in the question and the answer in English too: I cannot publish without them.",
        "no_forms": "That form does not work here; use Slack, or `python -m bot knowledge import`.",
        "store_error": "Sorry, I cannot read or update the question log now. Please try again later.",
        "form_title": "New question",
        "form_title_publish": "Publish draft",
        "form_submit": "Save",
        "form_submit_publish": "Publish",
        "form_close": "Cancel",
        "form_intro": "I keep this as a *draft*: I answer it only once an admin publishes it.",
        "form_intro_publish": "Add the English; then I answer `{id}` in both languages.",
        "label_q_nl": "Question (Dutch)",
        "label_a_nl": "Answer (Dutch)",
        "label_q_en": "Question (English)",
        "label_a_en": "Answer (English)",
        "hint_en": "May stay empty; needed to publish.",
        "pick_entry": "Add to which question? Type the number:",
        "admin_only": "Sorry, only admins can review the questions and add to the knowledge base.",
    },
}
