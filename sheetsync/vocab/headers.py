"""Header names per CRM export and per language, field by field.

Each :class:`HeaderSource` maps a canonical field to the headers that source
writes for it, **most specific first** (the order :mod:`sheetsync.columns`
uses to rank synonyms).  Matching is done by ``columns.normalize_header``,
which ignores case, spacing and punctuation (``Deal - Title`` = ``deal
title``), so one spelling per normalized form is enough.

``headers`` holds what a cited source shows; ``unconfirmed`` holds headers
believed to be right but not found in any source consulted (use them only
with that in mind).  What could not be confirmed, source by source:

- **HubSpot**: labels come from a live account's property list and
  HubSpot's help; the association columns ("Associated Company", "Associated
  Contact") only from public code that reads HubSpot exports.  What an
  associated-contact cell holds (a name, or "Name (email)") was not checked.
- **Pipedrive**: no Pipedrive page lists the export columns; they come from
  public code that reads Pipedrive deal exports (several independent ones
  agree on ``Deal - Title``, ``Deal - Value``, ``Deal - Status``, ``Deal -
  Won time`` …) and from Pipedrive's API field names.  Exports in another UI
  language were not found (Pipedrive calls deals "Tratos" in Spanish and
  "Negócios" in Portuguese, so their prefix is probably localized).
- **Salesforce**: labels are the field labels of the Opportunity object;
  a report column may be prefixed by its object in some report types
  (``Opportunity: Amount``) — not checked.  "Amount Currency" (the column a
  multi-currency export adds) was not found in a source.
- **Zoho CRM**: standard fields from Zoho's help; "Reason For Loss",
  "Currency" and "Email Opt Out" not confirmed for deal exports.
- **Dynamics 365**: display names from Microsoft's entity reference; a view
  export may rename columns.  German, French … display names not found.
- **monday.com**: no source for the Deals board template was found; every
  header there is unconfirmed.
- **Languages** (de, fr, es, pt, th): the words teams write, from knowledge
  of each language; localized CRM labels found in help pages are cited next
  to the list.  ``en`` adds English names for the four new fields only
  (the rest is ``columns.SYNONYMS``).

Thai note: ``columns.normalize_header`` drops Thai vowel and tone marks
(they are Unicode category Mn, which ``\\W`` matches), so ``มูลค่า``
normalizes to ``มลคา``.  Matching still works (both sides lose the same
marks) but two words that differ only in marks would collide; the tests
check that none of these lists do.

:data:`CONFLICTS` lists headers that mean different fields in different
sources, each with how a column's values tell them apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..model import FIELDS

#: The fields this vocabulary knows: the model's, plus the four the outcome
#: work adds (``status`` won/lost/open, the dates won and lost, and a
#: per-deal currency).
NEW_FIELDS: tuple[str, ...] = ("status", "won_time", "lost_time", "currency")
#: The drafts' per-deal fields (where to meet, how to greet, which language).
DRAFT_FIELDS: tuple[str, ...] = ("meeting_place", "salutation", "language")
CANONICAL_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(FIELDS + NEW_FIELDS))


@dataclass(frozen=True, slots=True)
class HeaderSource:
    """One source's headers: field → headers, most specific first."""

    key: str
    label: str
    kind: str  # "crm" or "language"
    citations: tuple[str, ...]
    headers: Mapping[str, tuple[str, ...]]
    unconfirmed: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()

    def for_field(self, name: str, *, include_unconfirmed: bool = False) -> tuple[str, ...]:
        """Headers for one field (confirmed first)."""
        got = self.headers.get(name, ())
        if include_unconfirmed:
            got = got + self.unconfirmed.get(name, ())
        return got


def _ro(d: dict[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(d)


# --------------------------------------------------------------------------- CRMs

HUBSPOT = HeaderSource(
    key="hubspot",
    label="HubSpot deals export",
    kind="crm",
    citations=(
        # Property labels of a live account (name → label), e.g. dealname →
        # "Deal Name", hubspot_owner_id → "Deal owner", hs_is_closed_won →
        # "Is Closed Won", deal_currency_code → "Currency":
        "github:hairsolutionsco/automations_hub:hubspot/objects/deals/properties.md",
        "https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties",
        # Export headers "Record ID, Deal Name, Deal Stage, Amount, Deal
        # owner, Close Date, Associated Company, Create Date, Pipeline":
        "public code reading HubSpot deal exports (exact-string search 'Record ID,Deal Name')",
    ),
    headers=_ro(
        {
            "id": ("Record ID",),
            "deal": ("Deal Name",),
            "company": ("Associated Company",),
            "contact_name": ("Associated Contact",),
            "owner": ("Deal owner",),
            "stage": ("Deal Stage",),
            # "Amount in company currency" is converted: use it only when
            # "Amount" is absent (it is then in the team's currency).
            "amount": ("Amount", "Amount in company currency"),
            # hs_deal_stage_probability: a fraction 0..1 in exports.
            "probability": ("Deal probability",),
            "created": ("Create Date", "HubSpot Create Date"),
            "close_date": ("Close Date",),
            "next_appointment": ("Next Activity Date", "Next Meeting Start Time"),
            "last_contact": ("Last Contacted", "Last Activity Date"),
            "lost_reason": ("Closed Lost Reason",),
            # Contact property hs_email_optout, when contact columns are exported.
            "do_not_email": ("Unsubscribed from all email",),
            "notes": ("Deal Description", "Next step"),
            # Booleans (see BOOLEAN_STATUS_HEADERS).
            "status": ("Is Closed Won", "Is closed lost", "Is Deal Closed?"),
            "won_time": (
                'Date entered "Closed Won (Sales Pipeline)"',
                "Closed Won Date (Internal)",
            ),
            "lost_time": ('Date entered "Closed Lost (Sales Pipeline)"',),
            "currency": ("Currency",),
        }
    ),
    notes=(
        "Weighted amount / Forecast amount are amount × probability: never the amount.",
        "A UI export writes stage labels; an API dump writes internal ids (closedwon …).",
        "Pipeline holds the pipeline's name ('Sales Pipeline') or id ('default'), not the stage.",
    ),
)

PIPEDRIVE = HeaderSource(
    key="pipedrive",
    label="Pipedrive deals export",
    kind="crm",
    citations=(
        # API field names (title, value, currency, status, won_time,
        # lost_time, close_time, lost_reason, probability, add_time):
        "github:pipedrive/client-php:docs/Model/DealCollectionResponseObject.md",
        # Export headers ("Deal - Title", "Deal - Value", "Deal - Organization",
        # "Deal - Contact person", "Deal - Expected close date", "Deal - Next
        # activity date", "Deal - Owner", "Deal - Lost reason", "Deal - Lost
        # time", "Deal - Status", "Deal - Deal created", "Deal - Won time",
        # "Deal - Stage", "Deal - Currency of value", "Deal - Closed on",
        # "Deal - Probability", "Deal - Creation date", "Person - Email - Work"):
        "public code reading Pipedrive exports (exact-string search 'Deal - Expected close date')",
        "https://support.pipedrive.com/en/article/probability-in-pipedrive",
    ),
    headers=_ro(
        {
            "id": ("Deal - ID",),
            "deal": ("Deal - Title",),
            "company": ("Deal - Organization", "Organization - Name", "Organization"),
            "contact_name": ("Deal - Contact person", "Person - Name", "Contact person"),
            "contact_email": ("Person - Email - Work", "Person - Email"),
            "owner": ("Deal - Owner",),
            "stage": ("Deal - Stage", "Deal - Stage (pipeline)"),
            "amount": ("Deal - Value",),
            "probability": ("Deal - Probability",),
            "created": ("Deal - Deal created", "Deal - Creation date"),
            # "Closed on" is set for won and lost deals: the expected date wins.
            "close_date": ("Deal - Expected close date", "Deal - Closed on"),
            "next_appointment": ("Deal - Next activity date",),
            "last_contact": ("Deal - Last activity date",),
            "lost_reason": ("Deal - Lost reason",),
            "status": ("Deal - Status",),
            "won_time": ("Deal - Won time",),
            "lost_time": ("Deal - Lost time",),
            "currency": ("Deal - Currency", "Deal - Currency of value"),
        }
    ),
    notes=(
        "Deal - Status values: Open, Won, Lost (and Deleted).",
        "Deal - Probability is blank unless deal probability is enabled; stage probability defaults to 100 %.",
        "Person - Marketing status (Subscribed / Unsubscribed …) is not a yes/no column; not mapped.",
    ),
)

SALESFORCE = HeaderSource(
    key="salesforce",
    label="Salesforce opportunity report (CSV/XLSX)",
    kind="crm",
    citations=(
        "https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunity.html",
        # Older label set ("Account Name", "Expected Revenue", "Fiscal Period"):
        "https://developer.salesforce.com/docs/atlas.en-us.192.0.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_Opportunity.htm",
        "https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunitystage.html",
    ),
    headers=_ro(
        {
            "id": ("Opportunity ID",),
            "deal": ("Opportunity Name",),
            "company": ("Account Name",),
            "owner": ("Opportunity Owner",),
            "stage": ("Stage",),
            "amount": ("Amount",),
            # Label "Probability (%)": values 0..100.
            "probability": ("Probability (%)",),
            "created": ("Created Date",),
            "close_date": ("Close Date",),
            "last_contact": ("Last Activity",),
            # Contact.HasOptedOutOfEmail, label "Email Opt Out".
            "do_not_email": ("Email Opt Out",),
            "notes": ("Next Step", "Description"),
            # Booleans IsWon / IsClosed (see BOOLEAN_STATUS_HEADERS).
            "status": ("Won", "Closed"),
            "currency": ("Opportunity Currency",),
        }
    ),
    unconfirmed=_ro({"currency": ("Amount Currency",), "amount": ("Amount (converted)",)}),
    notes=(
        "Expected Revenue is amount × probability: never the amount.",
        "Account Owner is the account's owner, not the opportunity's.",
        "Age, Fiscal Period, Type, Lead Source, Forecast Category have no canonical field.",
    ),
)

ZOHO = HeaderSource(
    key="zoho",
    label="Zoho CRM deals export",
    kind="crm",
    citations=(
        "https://help.zoho.com/portal/en/kb/crm/sales-force-automation/deal-management/articles/standard-fields-deals",
        "https://help.zoho.com/portal/kb/articles/create-deals",
    ),
    headers=_ro(
        {
            "deal": ("Deal Name",),
            "company": ("Account Name",),
            "contact_name": ("Contact Name",),
            "owner": ("Deal Owner",),
            "stage": ("Stage",),
            "amount": ("Amount",),
            "probability": ("Probability (%)", "Probability"),
            "created": ("Created Time",),
            "close_date": ("Closing Date",),
            "notes": ("Next Step", "Description"),
        }
    ),
    unconfirmed=_ro(
        {
            "id": ("Record Id",),
            "lost_reason": ("Reason For Loss",),
            "last_contact": ("Last Activity Time",),
            "do_not_email": ("Email Opt Out",),
            "currency": ("Currency",),
        }
    ),
    notes=("Expected Revenue is amount × probability: never the amount.",),
)

DYNAMICS365 = HeaderSource(
    key="dynamics365",
    label="Microsoft Dynamics 365 Sales opportunity export",
    kind="crm",
    citations=(
        # DisplayName of each column: Topic (name), Potential Customer
        # (customerid), Est. revenue, Est. close date, Probability, Status
        # (statecode), Status Reason (statuscode), Sales Stage, Pipeline Phase
        # (stepname), Owner, Actual Close Date, Actual Revenue, Rating,
        # Currency, Contact (parentcontactid), Account (parentaccountid),
        # Email Address, Decision Maker?, Created On, Description:
        "github:MicrosoftDocs/dynamics-365-customer-engagement:ce/sales/developer/entities/opportunity.md",
        # Contact/lead/account DoNotEMail: "Do not allow Emails", Allow / Do Not Allow:
        "public Microsoft entity reference (exact-string search 'Do not allow Emails')",
    ),
    headers=_ro(
        {
            "deal": ("Topic",),
            "company": ("Potential Customer", "Account"),
            "contact_name": ("Contact",),
            "contact_email": ("Email Address",),
            # A process checkbox: values "completed" / "mark complete".
            "decision_maker": ("Decision Maker?",),
            "owner": ("Owner",),
            "stage": ("Sales Stage", "Pipeline Phase"),
            "amount": ("Est. Revenue",),
            # Integer 0..100.
            "probability": ("Probability",),
            "created": ("Created On",),
            "close_date": ("Est. Close Date",),
            "do_not_email": ("Do not allow Emails",),
            "notes": ("Description",),
            "status": ("Status", "Status Reason"),
            "currency": ("Currency",),
        }
    ),
    notes=(
        "Actual Close Date is the date the deal was won or lost (by Status): won_time or lost_time.",
        "Actual Revenue is the won amount; Est. Revenue the expected one.",
        "Sales Stage 'Close' is an open stage; the outcome is Status (Open / Won / Lost).",
        "Do not allow Emails: 'Do Not Allow' blocks, 'Allow' permits.",
    ),
)

MONDAY = HeaderSource(
    key="monday",
    label="monday.com sales CRM Deals board export",
    kind="crm",
    citations=("no public source found for the Deals board template; all unconfirmed",),
    headers=_ro({}),
    unconfirmed=_ro(
        {
            "deal": ("Deal",),
            "company": ("Accounts",),
            "contact_name": ("Contacts",),
            "owner": ("Owner",),
            "stage": ("Stage", "Deal Stage"),
            "amount": ("Deal Value",),
            "probability": ("Close Probability",),
            "close_date": ("Expected Close Date",),
        }
    ),
    notes=("Forecast Value is deal value × close probability: never the amount.",),
)

# --------------------------------------------------------------------------- languages

EN = HeaderSource(
    key="en",
    label="English (the four new fields; the rest is columns.SYNONYMS)",
    kind="language",
    citations=(
        "common English usage; 'Is Won' / 'Is Closed' follow Salesforce's IsWon / IsClosed",
        "https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunitystage.html",
    ),
    headers=_ro(
        {
            "status": (
                "Deal Status",
                "Won/Lost",
                "Win/Loss",
                "Outcome",
                "Result",
                "Is Won",
                "Is Closed",
                "Closed Won?",
            ),
            "won_time": ("Won Date", "Date Won", "Won On", "Closed Won Date"),
            "lost_time": ("Lost Date", "Date Lost", "Lost On", "Closed Lost Date"),
            "currency": ("Deal Currency", "Currency Code", "Currency", "CCY"),
        }
    ),
)

DE = HeaderSource(
    key="de",
    label="German",
    kind="language",
    citations=(
        # HubSpot de: "Betrag", "Betrag in Firmenwährung", "Abschlussdatum", "Phase":
        "https://knowledge.hubspot.com/de/crm-deals/hubspots-default-deal-properties",
        "https://knowledge.hubspot.com/de/deals/work-with-your-deal-records",
        # Dynamics de: "Verkaufschance", "geschätzter Umsatz", "Pipeline-Phase":
        "https://learn.microsoft.com/de-de/dynamics365/sales/move-opportunity-stages",
    ),
    headers=_ro(
        {
            "id": ("Deal-ID", "Deal-Nr.", "Vorgangsnummer", "Lfd. Nr.", "Nummer", "Nr."),
            "deal": (
                "Verkaufschance",
                "Dealname",
                "Vorhaben",
                "Projekt",
                "Bezeichnung",
                "Titel",
                "Thema",
            ),
            "company": (
                "Firmenname",
                "Kundenname",
                "Potenzieller Kunde",
                "Unternehmen",
                "Firma",
                "Kunde",
            ),
            "contact_name": (
                "Ansprechpartner",
                "Ansprechpartnerin",
                "Ansprechperson",
                "Kontaktperson",
                "Kontakt",
            ),
            "contact_email": ("E-Mail Ansprechpartner", "E-Mail-Adresse", "E-Mail"),
            "decision_maker": (
                "Entscheider bestätigt",
                "Ist Entscheider",
                "Entscheidungsträger",
                "Entscheider",
            ),
            "owner": (
                "Vertriebsmitarbeiter",
                "Vertriebsmitarbeiterin",
                "Dealinhaber",
                "Kundenbetreuer",
                "Verantwortlicher",
                "Verantwortlich",
                "Verkäufer",
                "Verkäuferin",
                "Außendienst",
                "Betreuer",
                "Zuständig",
                "Besitzer",
                "Inhaber",
            ),
            "owner_email": (
                "E-Mail Vertriebsmitarbeiter",
                "E-Mail Verantwortlicher",
                "E-Mail Verkäufer",
            ),
            "stage": (
                "Verkaufsphase",
                "Vertriebsphase",
                "Dealphase",
                "Phase",
                "Stufe",
            ),
            "amount": (
                "Auftragswert",
                "Auftragsvolumen",
                "Angebotswert",
                "Dealwert",
                "Geschätzter Umsatz",
                "Betrag",
                "Volumen",
                "Umsatz",
                "Wert",
            ),
            "probability": (
                "Abschlusswahrscheinlichkeit",
                "Gewinnwahrscheinlichkeit",
                "Wahrscheinlichkeit (%)",
                "Wahrscheinlichkeit",
            ),
            "created": (
                "Erstellungsdatum",
                "Erstelldatum",
                "Erstellt am",
                "Angelegt am",
                "Anlagedatum",
                "Erstellt",
            ),
            "close_date": (
                "Erwartetes Abschlussdatum",
                "Voraussichtliches Abschlussdatum",
                "Erwarteter Abschluss",
                "Voraussichtlicher Abschluss",
                "Geplanter Abschluss",
                "Abschlusstermin",
                "Abschlussdatum",
                "Entscheidungsdatum",
                "Abschluss am",
                "Abschluss",
            ),
            "next_appointment": (
                "Nächster Termin",
                "Nächste Aktivität",
                "Nächster Kontakt",
                "Wiedervorlage",
                "Termin",
            ),
            "last_contact": (
                "Datum letzter Kontakt",
                "Letzter Kontakt",
                "Zuletzt kontaktiert",
                "Letzte Aktivität",
            ),
            "trial": ("Teststellung", "Testversion", "Testphase", "Demo angeboten", "Test"),
            "lost_reason": ("Verlustgrund", "Grund für Verlust", "Absagegrund", "Grund"),
            "lost_stage": ("Verloren in Phase", "Letzte Phase"),
            "do_not_email": (
                "Keine E-Mail",
                "Keine E-Mails",
                "E-Mail-Sperre",
                "Werbesperre",
                "Werbewiderspruch",
                "Nicht anschreiben",
                "Nicht kontaktieren",
                "Kein Kontakt",
                "Keine Werbung",
                "Abgemeldet",
            ),
            "notes": (
                "Nächster Schritt",
                "Bemerkungen",
                "Bemerkung",
                "Anmerkungen",
                "Kommentare",
                "Kommentar",
                "Notizen",
                "Notiz",
                "Beschreibung",
            ),
            "status": ("Gewonnen/Verloren", "Abschlussstatus", "Ergebnis"),
            "won_time": ("Gewonnen am", "Datum gewonnen", "Auftrag erteilt am", "Auftragsdatum"),
            "lost_time": ("Verloren am", "Datum verloren", "Absage am"),
            "currency": ("Währungscode", "Währung"),
            "meeting_place": ("Treffpunkt", "Besprechungsort", "Termin-Ort", "Ort", "Videolink"),
            "salutation": ("Anrede", "Briefanrede", "Grußformel"),
            "language": ("Korrespondenzsprache", "Sprache"),
        }
    ),
)

FR = HeaderSource(
    key="fr",
    label="French",
    kind="language",
    citations=(
        # HubSpot fr: deals are "transactions", "date de fermeture", "montant":
        "https://knowledge.hubspot.com/fr/object-settings/set-defaults-for-creating-deals",
        # Salesforce fr: "opportunités", "Étapes d'opportunité", "Motif de perte":
        "https://trailhead.salesforce.com/fr/content/learn/modules/leads_opportunities_lightning_experience/work-your-opportunities",
        "https://trailhead.salesforce.com/fr/content/learn/modules/competitor-tracking-in-salesforce/configure-the-system",
    ),
    headers=_ro(
        {
            "id": ("N° d'affaire", "Identifiant", "Référence", "Réf.", "Numéro", "N°"),
            "deal": (
                "Nom de l'opportunité",
                "Nom de l'affaire",
                "Nom de la transaction",
                "Opportunité",
                "Affaire",
                "Transaction",
                "Projet",
                "Intitulé",
                "Sujet",
            ),
            "company": (
                "Nom de l'entreprise",
                "Nom du compte",
                "Raison sociale",
                "Client potentiel",
                "Entreprise",
                "Société",
                "Compte",
                "Client",
            ),
            "contact_name": (
                "Nom du contact",
                "Personne à contacter",
                "Interlocuteur",
                "Interlocutrice",
            ),
            "contact_email": ("E-mail du contact", "Adresse e-mail", "Courriel"),
            "decision_maker": ("Décideur confirmé", "Décisionnaire", "Décideur"),
            "owner": (
                "Propriétaire de l'opportunité",
                "Propriétaire de l'affaire",
                "Propriétaire de la transaction",
                "Chargé d'affaires",
                "Chargée d'affaires",
                "Commercial",
                "Commerciale",
                "Responsable",
                "Vendeur",
                "Vendeuse",
                "Propriétaire",
                "Attribué à",
            ),
            "owner_email": ("E-mail du commercial", "E-mail commercial", "E-mail du responsable"),
            "stage": (
                "Étape de la vente",
                "Étape de l'affaire",
                "Étape de l'opportunité",
                "Phase de la transaction",
                "Étape commerciale",
                "Étape",
                "Stade",
            ),
            "amount": (
                "Montant de l'affaire",
                "Valeur de l'affaire",
                "Montant estimé",
                "Montant HT",
                "Chiffre d'affaires",
                "Montant",
                "Valeur",
                "CA",
            ),
            "probability": (
                "Probabilité de gain",
                "Probabilité (%)",
                "Probabilité",
                "% de réussite",
            ),
            "created": ("Date de création", "Créé le", "Créée le", "Date d'entrée"),
            "close_date": (
                "Date de clôture prévue",
                "Date de signature prévue",
                "Date de clôture",
                "Date de fermeture",
                "Clôture prévue",
                "Date de décision",
                "Échéance",
            ),
            "next_appointment": (
                "Prochain rendez-vous",
                "Prochain RDV",
                "Prochaine relance",
                "Date de relance",
                "Prochaine action",
                "Prochaine activité",
                "Relance",
            ),
            "last_contact": (
                "Date du dernier contact",
                "Dernier contact",
                "Dernier échange",
                "Dernière activité",
            ),
            "trial": ("Essai gratuit", "Période d'essai", "Démo proposée", "Essai"),
            "lost_reason": (
                "Raison de la perte",
                "Motif de perte",
                "Cause de perte",
                "Motif",
                "Raison",
            ),
            "lost_stage": ("Perdu à l'étape", "Étape de perte", "Dernière étape"),
            "do_not_email": (
                "Ne pas envoyer d'e-mail",
                "Ne pas contacter",
                "Pas d'e-mail",
                "Refus e-mail",
                "Désabonné",
                "Désinscrit",
                "Opposition",
            ),
            "notes": (
                "Prochaine étape",
                "Commentaires",
                "Commentaire",
                "Remarques",
                "Observations",
                "Description",
            ),
            "status": ("Gagné/Perdu", "Résultat", "Issue"),
            "won_time": ("Gagné le", "Date de gain", "Date de signature", "Signé le"),
            "lost_time": ("Perdu le", "Date de perte"),
            "currency": ("Code devise", "Devise", "Monnaie"),
            "meeting_place": ("Lieu du rendez-vous", "Lieu de réunion", "Lieu", "Lien visio"),
            "salutation": ("Formule d'appel", "Civilité", "Salutation"),
            "language": ("Langue de correspondance", "Langue"),
        }
    ),
)

ES = HeaderSource(
    key="es",
    label="Spanish",
    kind="language",
    citations=(
        # HubSpot es: deals are "negocios", "fecha de cierre", "importe",
        # "etapas del negocio":
        "https://knowledge.hubspot.com/es/object-settings/set-defaults-for-creating-deals",
        "http://knowledge.hubspot.com/es/deals/set-up-and-customize-your-deal-pipelines-and-deal-stages",
        # Pipedrive es: deals are "tratos":
        "https://support.pipedrive.com/es/article/how-is-pipedrive-data-organized",
    ),
    headers=_ro(
        {
            "id": ("Referencia", "Número", "Folio", "Ref.", "Nº"),
            "deal": (
                "Nombre de la oportunidad",
                "Nombre del negocio",
                "Oportunidad",
                "Negocio",
                "Trato",
                "Proyecto",
                "Título",
                "Tema",
            ),
            "company": (
                "Nombre de la empresa",
                "Nombre de la cuenta",
                "Razón social",
                "Empresa",
                "Compañía",
                "Cuenta",
                "Cliente",
            ),
            "contact_name": (
                "Nombre del contacto",
                "Persona de contacto",
                "Contacto",
                "Interlocutor",
            ),
            "contact_email": ("Correo del contacto", "Correo electrónico", "Correo"),
            "decision_maker": (
                "Tomador de decisiones",
                "Tomador de decisión",
                "Decisor",
            ),
            "owner": (
                "Propietario del negocio",
                "Ejecutivo de ventas",
                "Ejecutiva de ventas",
                "Asesor comercial",
                "Vendedor",
                "Vendedora",
                "Ejecutivo",
                "Asesor",
                "Comercial",
                "Responsable",
                "Propietario",
                "Asignado a",
            ),
            "owner_email": ("Correo del vendedor", "Email del vendedor", "Correo del responsable"),
            "stage": ("Etapa del negocio", "Etapa de venta", "Fase de venta", "Etapa", "Fase"),
            "amount": (
                "Valor del negocio",
                "Importe estimado",
                "Monto estimado",
                "Ingresos estimados",
                "Importe",
                "Monto",
                "Valor",
                "Presupuesto",
            ),
            "probability": (
                "Probabilidad de cierre",
                "Probabilidad (%)",
                "Probabilidad",
                "% de cierre",
            ),
            "created": ("Fecha de creación", "Fecha de alta", "Creado el", "Creado"),
            "close_date": (
                "Fecha estimada de cierre",
                "Fecha prevista de cierre",
                "Cierre estimado",
                "Cierre previsto",
                "Fecha de cierre",
            ),
            "next_appointment": (
                "Próxima cita",
                "Próxima reunión",
                "Próximo seguimiento",
                "Fecha de seguimiento",
                "Próxima acción",
                "Próxima actividad",
                "Seguimiento",
            ),
            "last_contact": ("Fecha del último contacto", "Último contacto", "Última actividad"),
            "trial": ("Prueba gratuita", "Periodo de prueba", "Demo ofrecida", "Prueba"),
            "lost_reason": ("Motivo de pérdida", "Razón de pérdida", "Causa de pérdida", "Motivo"),
            "lost_stage": ("Perdido en etapa", "Etapa de pérdida", "Última etapa"),
            "do_not_email": (
                "No enviar correos",
                "No enviar email",
                "No contactar",
                "Dado de baja",
                "Sin correo",
            ),
            "notes": (
                "Próximos pasos",
                "Próximo paso",
                "Observaciones",
                "Comentarios",
                "Comentario",
                "Notas",
                "Descripción",
            ),
            "status": ("Ganado/Perdido", "Resultado"),
            "won_time": ("Fecha ganado", "Ganado el"),
            "lost_time": ("Fecha perdido", "Perdido el"),
            "currency": ("Moneda", "Divisa"),
            "meeting_place": (
                "Lugar de la reunión",
                "Lugar",
                "Ubicación",
                "Enlace de videollamada",
            ),
            "salutation": ("Saludo", "Tratamiento"),
            "language": ("Idioma",),
        }
    ),
)

PT = HeaderSource(
    key="pt",
    label="Portuguese (Brazil and Portugal)",
    kind="language",
    citations=(
        # HubSpot pt: "negócios", "Data de fechamento", "Fase":
        "https://knowledge.hubspot.com/pt/deals/work-with-your-deal-records",
        "https://knowledge.hubspot.com/pt/crm-deals/create-deals",
        # Pipedrive pt-BR import help: "valor de um negócio":
        "https://support.pipedrive.com/hc/pt-br/articles/208039595-How-can-I-import-data-into-Pipedrive-with-spreadsheets-",
    ),
    headers=_ro(
        {
            "id": ("Referência", "Número", "Código", "N.º"),
            "deal": (
                "Nome da oportunidade",
                "Nome do negócio",
                "Oportunidade",
                "Negócio",
                "Projeto",
                "Projecto",
                "Título",
                "Assunto",
            ),
            "company": (
                "Nome da empresa",
                "Nome da conta",
                "Razão social",
                "Organização",
                "Empresa",
                "Conta",
                "Cliente",
            ),
            "contact_name": (
                "Nome do contato",
                "Nome do contacto",
                "Pessoa de contato",
                "Pessoa de contacto",
                "Contato",
                "Contacto",
                "Interlocutor",
            ),
            "contact_email": (
                "E-mail do contato",
                "Endereço de e-mail",
                "Correio eletrónico",
                "E-mail",
            ),
            "decision_maker": ("Tomador de decisão", "É decisor", "Decisor"),
            "owner": (
                "Proprietário do negócio",
                "Executivo de vendas",
                "Consultor comercial",
                "Vendedor",
                "Vendedora",
                "Responsável",
                "Proprietário",
                "Consultor",
                "Comercial",
                "Atribuído a",
            ),
            "owner_email": ("E-mail do vendedor", "E-mail do responsável"),
            "stage": (
                "Etapa do funil",
                "Fase do negócio",
                "Estágio do negócio",
                "Estágio",
                "Etapa",
                "Fase",
            ),
            "amount": (
                "Valor do negócio",
                "Valor estimado",
                "Receita estimada",
                "Montante",
                "Valor",
                "Orçamento",
            ),
            "probability": (
                "Chance de fechamento",
                "Probabilidade (%)",
                "Probabilidade",
                "% de fechamento",
            ),
            "created": ("Data de criação", "Data de cadastro", "Data de entrada", "Criado em"),
            "close_date": (
                "Data prevista de fechamento",
                "Previsão de fechamento",
                "Fechamento previsto",
                "Data de fechamento",
                "Data de fecho",
                "Data de encerramento",
            ),
            "next_appointment": (
                "Próxima reunião",
                "Próxima visita",
                "Próximo contato",
                "Próximo follow-up",
                "Próxima ação",
                "Próxima atividade",
                "Follow-up",
            ),
            "last_contact": (
                "Data do último contato",
                "Último contato",
                "Último contacto",
                "Última atividade",
            ),
            "trial": ("Teste grátis", "Período de teste", "Demonstração oferecida", "Teste"),
            "lost_reason": ("Motivo da perda", "Razão da perda", "Motivo"),
            "lost_stage": ("Perdido na etapa", "Etapa da perda", "Última etapa"),
            "do_not_email": (
                "Não enviar e-mail",
                "Não contatar",
                "Não contactar",
                "Descadastrado",
                "Sem e-mail",
            ),
            "notes": (
                "Próximos passos",
                "Próximo passo",
                "Observações",
                "Comentários",
                "Comentário",
                "Anotações",
                "Notas",
                "Descrição",
            ),
            "status": ("Ganho/Perdido", "Resultado"),
            "won_time": ("Data de ganho", "Ganho em"),
            "lost_time": ("Data da perda", "Perdido em"),
            "currency": ("Moeda",),
            "meeting_place": ("Local da reunião", "Local", "Link da videochamada"),
            "salutation": ("Saudação", "Tratamento"),
            "language": ("Língua",),
        }
    ),
)

TH = HeaderSource(
    key="th",
    label="Thai",
    kind="language",
    citations=(
        # "ชื่อโอกาสการขาย (Opportunity Name)", "วันที่คาดว่าจะปิดการขาย",
        # "สถานะของโอกาสการขาย (Opportunity Stage)":
        "https://www.prosoftcrm.com/Article/Detail/66264",
        "http://www.prosoftcrm.in.th/ArticleInfo.aspx?ArticleTypeID=1991&ArticleID=5953",
        "https://beecy.co/blog/how-to-3/opportunity-part1-24",
    ),
    headers=_ro(
        {
            "id": ("รหัสดีล", "รหัส", "เลขที่"),
            "deal": ("ชื่อโอกาสการขาย", "โอกาสการขาย", "ชื่อดีล", "ดีล", "ชื่อโครงการ", "โครงการ"),
            "company": ("ชื่อบริษัท", "ชื่อลูกค้า", "บริษัท", "ลูกค้า", "องค์กร", "หน่วยงาน"),
            "contact_name": ("ชื่อผู้ติดต่อ", "ผู้ติดต่อ", "ผู้ประสานงาน", "บุคคลติดต่อ"),
            "contact_email": ("อีเมลผู้ติดต่อ", "อีเมล"),
            "decision_maker": ("ผู้มีอำนาจตัดสินใจ", "ผู้ตัดสินใจ"),
            "owner": ("ผู้รับผิดชอบ", "พนักงานขาย", "เจ้าของดีล", "ผู้ดูแล", "เซลส์", "ฝ่ายขาย"),
            "owner_email": ("อีเมลพนักงานขาย", "อีเมลผู้รับผิดชอบ"),
            "stage": ("ขั้นตอนการขาย", "ขั้นการขาย", "ขั้นตอน"),
            "amount": ("มูลค่าดีล", "มูลค่าโครงการ", "มูลค่า", "ยอดขาย", "จำนวนเงิน", "ยอดเงิน", "งบประมาณ"),
            "probability": ("ความน่าจะเป็น", "โอกาสปิดการขาย", "โอกาสสำเร็จ"),
            "created": ("วันที่สร้าง", "วันที่บันทึก", "วันที่เปิด", "วันที่เริ่ม"),
            "close_date": ("วันที่คาดว่าจะปิดการขาย", "กำหนดปิดการขาย", "วันที่ปิดการขาย", "วันปิดการขาย"),
            "next_appointment": (
                "นัดหมายครั้งถัดไป",
                "นัดครั้งต่อไป",
                "นัดหมายถัดไป",
                "ติดตามครั้งถัดไป",
                "วันนัดหมาย",
                "นัดหมาย",
            ),
            "last_contact": ("วันที่ติดต่อล่าสุด", "ติดต่อล่าสุด", "กิจกรรมล่าสุด"),
            "trial": ("ทดลองใช้ฟรี", "ทดลองใช้", "เดโม"),
            "lost_reason": ("สาเหตุที่ปิดการขายไม่ได้", "เหตุผลที่แพ้", "เหตุผลที่เสียดีล", "สาเหตุ"),
            "lost_stage": ("แพ้ที่ขั้นตอน", "ขั้นตอนสุดท้าย"),
            "do_not_email": ("ไม่ต้องการรับอีเมล", "ยกเลิกการรับอีเมล", "ห้ามส่งอีเมล", "ไม่รับอีเมล"),
            "notes": ("ขั้นตอนถัดไป", "หมายเหตุ", "รายละเอียด", "ความคิดเห็น", "บันทึก"),
            "status": ("ผลการขาย", "ผลลัพธ์", "ชนะ/แพ้"),
            "won_time": ("วันที่ปิดการขายได้", "วันที่ชนะ"),
            "lost_time": ("วันที่ปิดการขายไม่ได้", "วันที่แพ้"),
            "currency": ("สกุลเงิน",),
            "meeting_place": ("สถานที่นัดหมาย", "สถานที่ประชุม", "ลิงก์ประชุม"),
            "salutation": ("คำขึ้นต้น", "คำนำหน้า"),
            "language": ("ภาษา",),
        }
    ),
    notes=(
        "สถานะ (status) is often the stage column on Thai sheets: see CONFLICTS.",
        "Amount headers often carry the unit: มูลค่า (บาท) normalizes to มูลค่า + บาท, not listed.",
    ),
)

#: Every source, CRM exports first, then languages.
HEADER_SOURCES: dict[str, HeaderSource] = {
    s.key: s
    for s in (HUBSPOT, PIPEDRIVE, SALESFORCE, ZOHO, DYNAMICS365, MONDAY, EN, DE, FR, ES, PT, TH)
}


#: Headers that together identify an export (a header row holding all of a
#: source's signature is that CRM's export, so its own ranks apply: ranks of
#: different sources are not comparable).  Pipedrive prefixes every deal
#: column with ``Deal - ``.
SIGNATURE_HEADERS: dict[str, tuple[str, ...]] = {
    "hubspot": ("Record ID", "Deal Name", "Deal Stage", "Deal owner"),
    "pipedrive": ("Deal - Title", "Deal - Stage", "Deal - Owner"),
    "salesforce": ("Opportunity Name", "Opportunity Owner", "Probability (%)"),
    "zoho": ("Deal Name", "Deal Owner", "Closing Date"),
    "dynamics365": ("Topic", "Potential Customer", "Est. Revenue"),
}


# --------------------------------------------------------------------------- booleans


@dataclass(frozen=True, slots=True)
class BooleanStatus:
    """A status column holding TRUE/FALSE: what each value says.

    Meanings: ``won``, ``lost``, ``open``, ``closed`` (won or lost),
    ``not won`` (open or lost), ``not lost`` (open or won).  Two columns
    together decide: Won=TRUE → won; Won=FALSE and Closed=TRUE → lost;
    Closed=FALSE → open.
    """

    header: str
    source: str
    if_true: str
    if_false: str
    citation: str


BOOLEAN_STATUS_HEADERS: tuple[BooleanStatus, ...] = (
    # Salesforce OpportunityStage/Opportunity: IsWon label "Won", IsClosed label "Closed".
    BooleanStatus("Won", "salesforce", "won", "not won", SALESFORCE.citations[2]),
    BooleanStatus("Closed", "salesforce", "closed", "open", SALESFORCE.citations[2]),
    # HubSpot hs_is_closed_won "Is Closed Won", hs_is_closed_lost "Is closed
    # lost", hs_is_closed "Is Deal Closed?".
    BooleanStatus("Is Closed Won", "hubspot", "won", "not won", HUBSPOT.citations[0]),
    BooleanStatus("Is closed lost", "hubspot", "lost", "not lost", HUBSPOT.citations[0]),
    BooleanStatus("Is Deal Closed?", "hubspot", "closed", "open", HUBSPOT.citations[0]),
    BooleanStatus("Is Won", "en", "won", "not won", "common English, no source"),
    BooleanStatus("Is Closed", "en", "closed", "open", "common English, no source"),
    BooleanStatus("Closed Won?", "en", "won", "not won", "common English, no source"),
)

BOOLEAN_MEANINGS: tuple[str, ...] = ("won", "lost", "open", "closed", "not won", "not lost")

#: Headers whose YES means "may be emailed" (the opposite polarity of
#: ``do_not_email``).  They are deliberately *not* mapped: reading one as a
#: do-not-email column would block everyone who agreed and email everyone who
#: refused.  A column with one of these headers should be a finding that
#: names the ``[columns]`` setting, or be read with its polarity flipped.
OPT_IN_HEADERS: dict[str, tuple[str, ...]] = {
    # Dynamics shows the "allow" form only as values (Allow / Do Not Allow).
    "en": (
        "Email Opt In",
        "Email Opt-In",
        "Allow Email",
        "Allow Emails",
        "Marketing Consent",
        "Subscribed",
    ),
    "de": (
        "E-Mail erlaubt",
        "Einwilligung",
        "Werbeeinwilligung",
        "Newsletter-Einwilligung",
        "Opt-In",
    ),
    "fr": ("E-mail autorisé", "Consentement", "Accepte les e-mails", "Opt-in"),
    "es": ("Acepta correos", "Consentimiento", "Permite correos"),
    "pt": ("Aceita e-mail", "Consentimento", "Permite e-mail"),
    "th": ("ยินยอมรับอีเมล", "รับอีเมล", "ยินยอม"),
}


# --------------------------------------------------------------------------- conflicts


@dataclass(frozen=True, slots=True)
class Conflict:
    """A header (normalized as ``columns.normalize_header`` does) that means
    different fields in different sources, and how the column's values tell
    which one it is here."""

    header: str
    fields: tuple[str, ...]
    seen_in: tuple[str, ...]
    how_to_tell: str


CONFLICTS: tuple[Conflict, ...] = (
    Conflict(
        "Status",
        ("stage", "status"),
        (
            "columns.SYNONYMS (stage)",
            "pipedrive Deal - Status",
            "dynamics365 Status",
            "hand-made sheets",
        ),
        "If every non-blank value is an outcome word (won / lost / open in any language, "
        "words.OUTCOME_WORDS) the column is status; if the values are stage names (or more "
        "than three distinct values) it is stage.  When another column is already the stage, "
        "Status is status.  Dynamics: Status is always status (Open/Won/Lost).",
    ),
    Conflict(
        "Statut",
        ("stage", "status"),
        ("fr hand-made sheets",),
        "As 'Status': outcome words (Gagné/Perdu/En cours) → status; stage names → stage.",
    ),
    Conflict(
        "Estado",
        ("stage", "status"),
        ("es hand-made sheets", "Pipedrive es UI (unconfirmed)"),
        "As 'Status': Ganado/Perdido/Abierto → status; stage names → stage.",
    ),
    Conflict(
        "Situação",
        ("stage", "status"),
        ("pt hand-made sheets",),
        "As 'Status': Ganho/Perdido/Em andamento → status; stage names → stage.",
    ),
    Conflict(
        "สถานะ",
        ("stage", "status"),
        ("th hand-made sheets", "prosoftcrm.com: 'สถานะของโอกาสการขาย (Opportunity Stage)'"),
        "As 'Status': ชนะ/แพ้/ปิดการขายได้ → status; stage names (นัดหมาย, เสนอราคา …) → stage.",
    ),
    Conflict(
        "Name",
        ("deal", "contact_name", "owner"),
        ("columns.SYNONYMS (deal)", "monday item name", "hand-made sheets"),
        "If another column is already the deal, Name is the contact.  Person-like values "
        "(two or three capitalized words, no digits, often repeating across rows for the "
        "same company) → contact_name; titles with products, numbers or dashes → deal.  "
        "Values matching the names in the Quotas tab → owner.",
    ),
    Conflict(
        "Owner",
        ("owner",),
        ("dynamics365 Owner", "Salesforce Account Owner", "HubSpot Contact owner / Company owner"),
        "Same field, different object: prefer the deal's owner header (Opportunity Owner, "
        "Deal owner) and leave Account Owner / Contact owner / Company owner unmapped.  A bare "
        "Owner is the deal owner unless a more specific owner column exists.",
    ),
    Conflict(
        "Contact",
        ("contact_name", "contact_email", "last_contact"),
        ("columns.SYNONYMS (contact_name)", "dynamics365 Contact", "hand-made sheets"),
        "By values: e-mail addresses → contact_email; dates → last_contact; names → contact_name.",
    ),
    Conflict(
        "Value",
        ("amount", "probability"),
        ("columns.SYNONYMS (amount)", "monday Deal Value / Forecast Value"),
        "Money (currency symbols or codes, values mostly above 100) → amount; values all in "
        "0..1 or 0..100 with a '%' → probability.  Weighted amounts (Forecast Value, "
        "Weighted amount, Expected Revenue) are neither and stay unmapped.",
    ),
    Conflict(
        "Wert",
        ("amount", "probability"),
        ("de hand-made sheets",),
        "As 'Value': money → amount; percentages → probability.",
    ),
    Conflict(
        "Closed",
        ("status", "close_date"),
        ("salesforce Closed (IsClosed, boolean)", "hand-made sheets (a date)"),
        "TRUE/FALSE or yes/no values → status boolean (closed, not won/lost by itself); "
        "dates → close_date.",
    ),
    Conflict(
        "Won",
        ("status", "won_time"),
        ("salesforce Won (IsWon, boolean)", "hand-made sheets (a date)"),
        "TRUE/FALSE or yes/no values → status boolean; dates → won_time; money → no field "
        "(a won amount is the amount of a won deal).",
    ),
    Conflict(
        "Close Date",
        ("close_date", "won_time", "lost_time"),
        ("hubspot Close Date", "salesforce Close Date", "pipedrive Deal - Closed on"),
        "For open deals it is the expected close date; for won or lost deals HubSpot and "
        "Salesforce hold the actual date there, so with a status column a closed deal's close "
        "date is its won or lost time (unless a won_time/lost_time column exists).",
    ),
    Conflict(
        "Actual Close Date",
        ("won_time", "lost_time"),
        ("dynamics365 Actual Close Date",),
        "The date the deal was closed: won_time when Status is Won, lost_time when Lost; "
        "blank for open deals.",
    ),
    Conflict(
        "Next Step",
        ("notes", "next_appointment"),
        (
            "columns.SYNONYMS (notes)",
            "salesforce / hubspot / zoho Next Step (text)",
            "hand-made sheets",
        ),
        "Text (what to do next) → notes; dates (when the next step is due) → next_appointment.",
    ),
    Conflict(
        "Last Activity",
        ("last_contact", "notes"),
        (
            "columns.SYNONYMS (last_contact)",
            "salesforce Last Activity (date)",
            "hubspot Last Activity (a reference, not a date)",
        ),
        "Dates → last_contact; anything else (HubSpot writes an activity reference) → unmapped.",
    ),
    Conflict(
        "Email",
        ("contact_email", "owner_email"),
        ("columns.SYNONYMS (contact_email)", "hand-made sheets"),
        "Addresses that repeat for every row of one owner and share the team's domain → "
        "owner_email; otherwise contact_email.",
    ),
    Conflict(
        "Reason",
        ("lost_reason", "status"),
        ("hubspot Closed Won Reason / Closed Lost Reason", "dynamics365 Status Reason"),
        "Status Reason (Dynamics) holds In Progress / On Hold / Won / Canceled / Out-Sold → "
        "status; a reason filled only on lost deals → lost_reason; Closed Won Reason → unmapped.",
    ),
    Conflict(
        "Decision Maker?",
        ("decision_maker",),
        ("dynamics365 Decision Maker? (process checkbox)",),
        "Dynamics writes 'completed' / 'mark complete' instead of yes / no: completed = yes.",
    ),
    Conflict(
        "Probability",
        ("probability",),
        (
            "hubspot Deal probability (0..1)",
            "dynamics365 Probability (0..100)",
            "salesforce Probability (%)",
        ),
        "Same field, different scales: a column with any value above 1 is in percent "
        "(issue 9 item 7); HubSpot writes fractions.",
    ),
)


# --------------------------------------------------------------------------- accessors


def source(key: str) -> HeaderSource:
    """One source by key (``KeyError`` names the known keys)."""
    try:
        return HEADER_SOURCES[key]
    except KeyError:
        raise KeyError(
            f"unknown header source {key!r}; known: {', '.join(HEADER_SOURCES)}"
        ) from None


def iter_headers(*, include_unconfirmed: bool = False) -> Iterator[tuple[str, str, int, str, bool]]:
    """Every (source, field, rank, header, confirmed), rank 0 = most specific."""
    for s in HEADER_SOURCES.values():
        for f, hs in s.headers.items():
            for rank, h in enumerate(hs):
                yield s.key, f, rank, h, True
        if include_unconfirmed:
            for f, hs in s.unconfirmed.items():
                base = len(s.headers.get(f, ()))
                for rank, h in enumerate(hs, start=base):
                    yield s.key, f, rank, h, False


def conflict(header: str, normalize: Callable[[str], str]) -> Conflict | None:
    """The conflict entry for ``header``, spellings compared with
    ``normalize`` (pass ``columns.normalize_header``; this module does not
    import the reading code)."""
    key = normalize(header)
    for c in CONFLICTS:
        if normalize(c.header) == key:
            return c
    return None


# --------------------------------------------------------------------------- the Quotas tab

#: Headers of a Quotas tab (one row per rep and period) in each language, for
#: the two fields only that tab has: the quota itself and its period.  The
#: rep column uses each language's ``owner`` headers above and the email
#: column its ``owner_email`` ones, so one vocabulary names a rep everywhere.
#: The words are the ones sales teams write for a sales target (German
#: "Soll", "Quote", "Umsatzziel"; French "Objectif"; Spanish "Cuota",
#: "Meta"; Portuguese "Meta", "Cota"; Thai "เป้า", "เป้าหมาย", "เป้ายอดขาย"),
#: from knowledge of each language: no CRM page lists a quota export's
#: localized headers (HubSpot's "Ziele"/"Objectifs" pages name the feature,
#: not columns).  Most specific first, as everywhere in this module.
QUOTA_HEADERS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "de": _ro(
            {
                "quota": ("Umsatzziel", "Vertriebsziel", "Zielvorgabe", "Quote", "Soll", "Ziel"),
                "period": ("Zeitraum", "Periode", "Quartal", "Monat", "Jahr"),
            }
        ),
        "fr": _ro(
            {
                "quota": ("Objectif de vente", "Objectif CA", "Objectif", "Quota"),
                "period": ("Période", "Trimestre", "Mois", "Année"),
            }
        ),
        "es": _ro(
            {
                "quota": ("Cuota de ventas", "Meta de ventas", "Cuota", "Meta", "Objetivo"),
                "period": ("Período", "Periodo", "Trimestre", "Mes", "Año"),
            }
        ),
        "pt": _ro(
            {
                "quota": ("Meta de vendas", "Cota de vendas", "Meta", "Cota", "Objetivo"),
                "period": ("Período", "Trimestre", "Mês", "Ano"),
            }
        ),
        "th": _ro(
            {
                "quota": ("เป้ายอดขาย", "ยอดเป้าหมาย", "เป้าหมาย", "เป้า"),
                "period": ("ช่วงเวลา", "งวด", "ไตรมาส", "เดือน", "ปี"),
            }
        ),
    }
)


#: What teams call the Quotas tab in the five languages (the tab's name, not a
#: header); used only when ``[source] quotas_tab`` is left at ``Quotas`` and no
#: tab has that name, and only for a tab whose header row names a rep and a
#: quota (so a deals tab called "Ziele" is never taken for it).
QUOTA_TAB_NAMES: tuple[str, ...] = (
    "Quoten",
    "Vertriebsziele",
    "Umsatzziele",
    "Ziele",
    "Objectifs",
    "Cuotas",
    "Metas",
    "Objetivos",
    "Cotas",
    "เป้าหมาย",
    "เป้ายอดขาย",
    "เป้า",
)


def quota_headers(field: str) -> Iterator[str]:
    """Every language's Quotas-tab headers for ``field`` (``owner``, ``email``,
    ``period``, ``quota``), languages in :data:`HEADER_SOURCES` order."""
    for key, tab in QUOTA_HEADERS.items():
        if field in ("owner", "email"):
            yield from HEADER_SOURCES[key].for_field("owner" if field == "owner" else "owner_email")
        else:
            yield from tab.get(field, ())
