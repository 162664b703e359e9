"""The asset library's demo content, and generated assets for benchmarks.

`seed_demo_assets` gives the vendor a product list and a library of real files (PDF
datasheets, Word and PowerPoint documents, Excel price lists, images, text, videos),
made through the real upload pipeline so search, previews and versions have something
to show. `seed_generated_assets` bulk-inserts many Markdown and text assets for load tests.

Tests seed a fresh database for almost every test, so building the files and running
them through `prepare()` happens once per process; later seeds write the same blobs into
the current store and reuse the prepared result.
"""
import functools
import hashlib
import html
import io
import random
import re
import zipfile
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from docx import Document as WordDocument
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.util import Inches, Pt

from portal.assets import services
from portal.assets.files import FileKind, PreparedFile, prepare
from portal.assets.models import Asset, AssetType, AssetVersion
from portal.core import clock
from portal.core.access import DIMENSIONS, AudienceSpec, to_mask
from portal.core.models import (
    Audience, Organization, OrgKind, PartnerType, Persona, Product, Region, Tier, User,
)
from portal.extensions import db
from portal.pdf import render_pdf
from portal.storage import BlobStore, current_store, read

# --- Products and audiences ----------------------------------------------------------

PRODUCTS = {  # name: brand colour of its documents
    "Acme Cloud Platform": "#1f5fbf",
    "Acme Backup": "#0f8a6c",
    "Acme Secure Edge": "#c2410c",
    "Acme Analytics": "#7c3aed",
    "Acme Identity": "#be185d",
    "Acme Observability": "#0e7490",
}
VENDOR_COLOUR = "#2563eb"

AUDIENCES = {
    "everyone": AudienceSpec(),
    "silver_up": AudienceSpec.tier_floor(Tier.silver),
    "gold_up": AudienceSpec.tier_floor(Tier.gold),
    "platinum": AudienceSpec(tiers=frozenset({Tier.platinum})),
    "sales": AudienceSpec(personas=frozenset({Persona.sales})),
    "presales": AudienceSpec(personas=frozenset({Persona.presales})),
    "marketing": AudienceSpec(personas=frozenset({Persona.marketing})),
    "post_sales": AudienceSpec(personas=frozenset({Persona.post_sales})),
    "msp": AudienceSpec(partner_types=frozenset({PartnerType.msp})),
    "emea": AudienceSpec(regions=frozenset({Region.EMEA})),
    "na": AudienceSpec(regions=frozenset({Region.NA})),
    "latam": AudienceSpec(regions=frozenset({Region.LATAM})),
}
NAMED_ORG_AUDIENCE = "Harborline IT"  # an audience key that names one partner org

# This user downloads version 1 of the versioned asset, so their room says a newer one exists.
STALE_DOWNLOADER = "marketing@gold.demo"
VERSIONED_TITLE = "Product Overview Datasheet"

# --- The documents' text ---------------------------------------------------------------

SECTIONS = {  # key: (heading, paragraphs); in a presentation each is a slide of bullets
    # Acme Cloud Platform
    "platform.overview": ("Acme Cloud Platform at a glance", [
        "Acme Cloud Platform gives mid-market and enterprise IT teams one place to run virtual machines, "
        "containers and managed databases across their own data centres and the three big public clouds. "
        "Workloads keep the same policies, backups and network rules wherever they run, so teams stop "
        "rebuilding the same controls for every environment.",
        "Most customers start by migrating a handful of line-of-business applications and grow from there. "
        "The built-in migration planner scans VMware and Hyper-V estates, groups servers into move waves by "
        "dependency, and estimates the monthly run cost before a single workload moves.",
        "Operations teams manage everything from a single pane of glass: capacity, patching, cost and "
        "compliance reports share one inventory, one role model and one audit trail.",
    ]),
    "platform.features": ("Key capabilities", [
        "Managed Kubernetes: upstream-conformant Kubernetes clusters with automated upgrades, node "
        "auto-repair and GPU node pools. Clusters run on-premises or in the cloud with the same kubectl "
        "experience and the same ingress and secrets handling.",
        "Cost control: per-team budgets, idle-resource detection and rightsizing advice that typically cut "
        "cloud spend by 22 to 35 percent within two quarters. Egress is metered and forecast, so there are "
        "no surprise data-transfer bills at the end of the month.",
        "Policy as code: guardrails written once apply to every project, from tagging rules to encryption "
        "at rest. Violations are blocked at deploy time or flagged for review, and every exception is "
        "recorded with an owner and an expiry date.",
        "Self-service catalogue: approved templates for web applications, databases and analytics sandboxes "
        "let developers provision in minutes instead of opening a ticket and waiting a week.",
    ]),
    "platform.specs": ("Technical specifications", [
        "Deployment: SaaS control plane hosted in the EU (Frankfurt) and US (Virginia) regions; on-premises "
        "clusters on VMware vSphere 7 or later, Nutanix AHV or bare metal. Connectors for AWS, Microsoft "
        "Azure and Google Cloud.",
        "Scale: up to 20,000 virtual machines and 500 Kubernetes clusters per tenant; API limit of 50 "
        "requests per second per token, raised on request.",
        "Security: SOC 2 Type II and ISO 27001 certified; single sign-on through SAML 2.0 or OpenID Connect; "
        "customer-managed encryption keys through AWS KMS, Azure Key Vault or HashiCorp Vault.",
        "Availability: 99.95% monthly uptime commitment for the control plane, with service credits from "
        "10% to 30% of the monthly fee.",
    ]),
    "platform.licensing": ("Editions and licensing", [
        "Acme Cloud Platform is licensed per managed vCPU, billed annually. Standard covers virtual machines "
        "and cost control; Professional adds managed Kubernetes and policy as code; Enterprise adds "
        "customer-managed keys, 24x7 premium support and a named technical account manager.",
        "Partners can quote one-year or three-year terms. Three-year terms carry an extra 8% off list and "
        "lock the price for the whole term, which is usually the deciding argument for finance teams.",
    ]),
    "platform.whats_new": ("New in release 2026.2", [
        "Release 2026.2 adds carbon reporting per workload, ARM node pools for Kubernetes and a redesigned "
        "migration planner that now handles Oracle and SQL Server clusters with shared storage.",
        "Egress forecasting now covers traffic between regions, and budgets can pause non-production "
        "environments automatically at night and over weekends.",
    ]),
    "platform.why": ("Why customers choose Acme", [
        "Customers tell us three things decided it: one platform instead of four consoles, cost they can "
        "predict, and a migration path that does not require rewriting applications first.",
        "Unlike hyperscaler-only tools, Acme Cloud Platform treats the customer's own data centre as a "
        "first-class region. That matters to manufacturers, hospitals and public bodies that will keep "
        "regulated workloads on-premises for years.",
        "And because pricing is per vCPU rather than a percentage of cloud spend, the bill does not grow "
        "just because the customer moved more workloads to the cloud.",
    ]),
    "platform.fr": ("La plateforme en bref", [
        "Acme Cloud Platform réunit machines virtuelles, conteneurs et bases de données managées dans une "
        "seule console, que les charges tournent dans vos centres de données ou dans le cloud public.",
        "La migration se prépare en quelques jours : le planificateur analyse l'existant VMware, regroupe "
        "les serveurs par dépendances et estime le coût mensuel avant le moindre déplacement.",
        "Les équipes d'exploitation suivent capacité, correctifs, coûts et conformité depuis un seul "
        "tableau de bord, avec un seul modèle de rôles et une piste d'audit complète.",
    ]),
    "platform.fr.benefits": ("Pourquoi nos clients choisissent Acme", [
        "Des coûts prévisibles : licence par vCPU, budgets par équipe et prévision des frais de sortie "
        "réseau, sans mauvaise surprise en fin de mois.",
        "La souveraineté des données : plan de contrôle hébergé dans l'Union européenne, clés de "
        "chiffrement gérées par le client et centres de données certifiés ISO 27001.",
        "Un accompagnement local : nos partenaires certifiés en France, en Belgique et en Suisse assurent "
        "l'intégration, la migration et le support de proximité.",
    ]),
    # Acme Backup
    "backup.overview": ("Acme Backup: recover from anything", [
        "Acme Backup protects virtual machines, physical servers, Microsoft 365 and SaaS data with one "
        "policy engine and one catalogue. Backups are immutable by default, so ransomware that reaches the "
        "production network cannot encrypt or delete the copies you need to recover.",
        "Restores are measured in minutes, not days: instant recovery boots a virtual machine straight from "
        "the backup store while data moves back in the background, and file-level search finds a single "
        "spreadsheet across millions of restore points.",
    ]),
    "backup.features": ("What is inside", [
        "Immutable snapshots with object lock, kept in a separate security domain with its own "
        "credentials and multi-person approval for any retention change.",
        "Anomaly detection that flags mass encryption, unusual deletion and entropy spikes during backup, "
        "and marks the last clean restore point automatically.",
        "Air-gapped copies to Acme Vault or any S3-compatible object storage, with no egress fees for "
        "restore tests inside the Acme cloud.",
        "Recovery orchestration: runbooks that restore whole applications in the right order and prove it "
        "with scheduled, automated recovery tests and a report for the auditors.",
    ]),
    "backup.specs": ("Specifications", [
        "Protected sources: VMware vSphere, Microsoft Hyper-V, Nutanix AHV, Windows and Linux servers, "
        "Kubernetes persistent volumes, Microsoft 365, Google Workspace and Salesforce.",
        "Targets: local disk, deduplicating appliances, Acme Vault, AWS S3, Azure Blob and S3-compatible "
        "storage with object lock. Typical data reduction of 3:1 to 5:1.",
        "Recovery objectives: RPO as low as 15 minutes; instant VM recovery in under 5 minutes for "
        "workloads up to 2 TB.",
    ]),
    "backup.ransomware": ("Ransomware is a recovery problem", [
        "Every organisation will eventually face a ransomware incident. Prevention matters, but the "
        "companies that come through well are the ones that can restore clean data quickly and prove that "
        "it is clean.",
        "Attackers now go after backups first. They steal administrator credentials, delete restore points "
        "and wait weeks before encrypting production. A backup that an administrator can delete is not a "
        "backup once those credentials are stolen.",
        "Acme Backup answers with immutable storage, separate credentials for the backup domain, anomaly "
        "detection during every job and tested recovery runbooks. Customers restore in hours, and they do "
        "not negotiate with attackers.",
    ]),
    "backup.de": ("Acme Backup im Überblick", [
        "Acme Backup sichert virtuelle Maschinen, physische Server, Microsoft 365 und SaaS-Daten mit einer "
        "einzigen Richtlinie. Alle Sicherungen sind unveränderlich, damit Ransomware die "
        "Wiederherstellungspunkte weder verschlüsseln noch löschen kann.",
        "Die Sofortwiederherstellung startet eine virtuelle Maschine direkt aus dem Backup, während die "
        "Daten im Hintergrund zurückkopiert werden. So sinkt die Ausfallzeit von Tagen auf Minuten.",
    ]),
    "backup.de.features": ("Funktionen und technische Daten", [
        "Unveränderliche Snapshots mit Object Lock, getrennte Anmeldedaten für die Backup-Umgebung und "
        "Freigabe nach dem Vier-Augen-Prinzip für jede Änderung der Aufbewahrung.",
        "Anomalieerkennung während jeder Sicherung: Massenverschlüsselung und ungewöhnliche Löschungen "
        "werden gemeldet, der letzte saubere Wiederherstellungspunkt wird markiert.",
        "Rechenzentren in Frankfurt und Amsterdam, DSGVO-konforme Auftragsverarbeitung und Datenhaltung "
        "ausschließlich in der EU.",
        "Unterstützte Quellen: VMware vSphere, Microsoft Hyper-V, Windows- und Linux-Server, Kubernetes, "
        "Microsoft 365 und Salesforce.",
    ]),
    "backup.release_notes": ("Acme Backup 8.2 release notes", [
        "New: Kubernetes backup now captures custom resources and Helm release state, so a namespace "
        "restore brings back the whole application, not only its persistent volumes.",
        "New: restore tests can run on a schedule inside an isolated network and email a signed report.",
        "Improved: anomaly detection uses per-workload baselines, cutting false positives by about 60% "
        "in the beta programme.",
        "Fixed: Microsoft 365 mailbox restores could skip items with very long subject lines.",
        "Fixed: the retention report showed UTC times where local times were expected.",
        "Upgrade notes: upgrade the management server before the proxies. Proxies older than 8.0 must be "
        "redeployed; in-place upgrades from 7.x are not supported.",
    ]),
    # Acme Secure Edge
    "edge.overview": ("Acme Secure Edge: zero-trust access for every site", [
        "Acme Secure Edge replaces the VPN concentrator and the branch firewall with one cloud-delivered "
        "service. Every user and device is verified on every request, and applications are never exposed "
        "to the internet.",
        "Branches connect over any link with the Secure Edge appliance or the agent, and traffic is "
        "inspected in the nearest of 60 points of presence, so users get fast access from anywhere.",
    ]),
    "edge.features": ("Capabilities", [
        "Zero-trust network access: per-application access based on identity, device posture and location, "
        "with continuous re-evaluation during the session.",
        "Secure web gateway and DNS filtering with TLS inspection, data loss prevention and egress control "
        "that stops sensitive files from leaving through personal cloud storage.",
        "SD-WAN with application-aware routing and link failover in under one second.",
        "Micro-segmentation for data centre and cloud workloads, driven by the same policies as user "
        "access.",
    ]),
    "edge.specs": ("Technical specifications", [
        "Points of presence: 60 worldwide, including 22 in Europe; each PoP inspects up to 400 Gbit/s.",
        "Appliances: SE-100 (branch, 1 Gbit/s inspected), SE-500 (regional office, 5 Gbit/s) and SE-2000 "
        "(data centre, 20 Gbit/s), all managed from the cloud console.",
        "Agents for Windows, macOS, Linux, iOS and Android; agentless browser access for contractors.",
        "Identity providers: Acme Identity, Microsoft Entra ID, Okta and any SAML 2.0 provider.",
    ]),
    "edge.architecture": ("Reference architecture", [
        "A typical deployment places an SE-500 in each regional office, agents on every managed laptop and "
        "connectors next to private applications in the data centre and in each cloud VPC.",
        "Connectors make outbound connections only. No inbound firewall rules are needed, which removes the "
        "attack surface that VPN gateways exposed.",
        "Logs stream to the customer's SIEM over syslog or to Acme Analytics, where they are kept for 13 "
        "months at no extra cost.",
    ]),
    "edge.sizing": ("Sizing guidance", [
        "Size agents by named users and appliances by inspected throughput at peak, not by link speed. "
        "Plan 1.5 concurrent devices per user for hybrid workers.",
        "For SD-WAN, choose SE-100 for sites under 50 users, SE-500 up to 400 users and SE-2000 for data "
        "centres and hub sites. Always deploy appliances in pairs where the site needs high availability.",
    ]),
    "edge.zero_trust": ("A practical path to zero-trust", [
        "Zero-trust is not a product; it is the rule that nothing is trusted because of where it sits on "
        "the network. Every request proves who is asking, from which device, and whether it should be "
        "allowed right now.",
        "Step one is an inventory of users, devices and applications. Step two moves remote access off the "
        "VPN to per-application access. Step three adds device posture checks. Step four segments the data "
        "centre, and step five brings branch offices onto the same policies.",
        "Most mid-market organisations complete the first three steps in one quarter. The quickest wins come "
        "from retiring the VPN for contractors and third-party suppliers.",
        "Questions to ask a vendor: Are applications hidden from the internet? Is access re-checked during "
        "a session? Can policies follow workloads into the cloud? What happens to egress traffic?",
    ]),
    "edge.quick_reference": ("Acme Secure Edge quick reference", [
        "Console: https://edge.acme-cloud.example. Support: +1 800 555 0142 (NA), +44 20 7946 0321 (EMEA).",
        "Agent install: download the package from the console, then run the installer with the enrolment "
        "token. The device appears under Devices within two minutes.",
        "Common checks: if a user cannot reach an application, look at the access log first. Posture "
        "failures (disk encryption off, outdated operating system) are the most common cause.",
        "Appliance LEDs: solid green is healthy, amber means one uplink is down, red means no path to any "
        "point of presence.",
    ]),
    # Acme Analytics
    "analytics.overview": ("Acme Analytics: answers from all your operational data", [
        "Acme Analytics collects metrics, logs and business data from every Acme product and 150 other "
        "sources into one governed data store, and turns them into dashboards that operations and finance "
        "teams actually use.",
        "Natural-language questions such as 'which teams exceeded their cloud budget last month' return a "
        "chart and the query behind it, so analysts can check and refine the answer.",
    ]),
    "analytics.features": ("Capabilities", [
        "Connectors for databases, SaaS applications and event streams, with change data capture for "
        "PostgreSQL, MySQL and SQL Server.",
        "Cost and usage analytics for cloud bills, including egress and storage growth forecasts.",
        "Row-level security and data masking, so a regional manager sees only their region's numbers.",
        "Scheduled reports and alerts to email, Microsoft Teams and Slack.",
    ]),
    "analytics.specs": ("Specifications", [
        "Columnar storage with up to 10:1 compression; queries over one billion rows typically return in "
        "under two seconds.",
        "Data residency in the EU, US or Australia; retention configurable from 30 days to 7 years.",
    ]),
    "analytics.launch": ("Acme Analytics 5.0: launch brief", [
        "Acme Analytics 5.0 launches with a semantic layer, so business terms like 'active customer' mean "
        "the same thing in every dashboard.",
        "New predictive forecasting covers capacity, cloud spend and license renewals, with confidence "
        "intervals that finance teams can defend.",
        "Launch promotion: new Analytics subscriptions signed in the launch quarter include the Professional "
        "edition at Standard price for the first year.",
    ]),
    "battle.analytics": ("Acme Analytics battlecard", [
        "Where we win: operations and finance teams that need cloud cost, capacity and security data in one "
        "place, without a data engineering team to build pipelines.",
        "Against Quantra BI: Quantra is a strong visualisation tool but needs a separate warehouse and ETL. "
        "Ask how many people maintain their pipelines today.",
        "Against building on a warehouse: the customer pays for storage, compute and engineering time. Our "
        "connectors and semantic layer usually save six to nine months of work.",
        "Landmine question: 'How do you make sure the finance dashboard and the operations dashboard use "
        "the same definition of cost?'",
    ]),
    # Acme Identity
    "identity.overview": ("Acme Identity: one identity for every app", [
        "Acme Identity provides single sign-on, multi-factor authentication and lifecycle management for "
        "employees, contractors and customers. Users sign in once, and access follows them as they join, "
        "move and leave.",
        "Passwordless sign-in with passkeys removes the most phished credential of all, and adaptive "
        "policies ask for more proof only when the risk is higher.",
    ]),
    "identity.features": ("Capabilities", [
        "Single sign-on to 7,000 pre-integrated applications through SAML, OpenID Connect and SCIM.",
        "Multi-factor authentication with passkeys, push notifications, hardware keys and one-time codes.",
        "Lifecycle automation from HR systems: accounts are created on day one and removed within minutes "
        "of a departure.",
        "Access reviews that managers complete in minutes, with evidence exported for auditors.",
    ]),
    "identity.specs": ("Specifications", [
        "Availability 99.99%; authentication latency under 150 ms at the 95th percentile.",
        "Directory sync with Active Directory and LDAP; HR connectors for Workday, SAP SuccessFactors and "
        "BambooHR.",
    ]),
    "identity.battle_na": ("Acme Identity in North America: how to win", [
        "North American buyers compare us with the two incumbents in almost every deal. Lead with "
        "total cost: our price includes lifecycle management and access reviews, which competitors sell as "
        "add-ons.",
        "Healthcare and state and local government buyers need HIPAA and CJIS support. Acme Identity "
        "signs a business associate agreement and runs in US-only data centres.",
        "Objection: 'We already have Microsoft.' Answer: we complement Entra ID for contractors, customers "
        "and non-Microsoft applications, and we bring passwordless sign-in to older applications.",
        "Trap to avoid: do not discount before the customer has seen the access review demo; it is the "
        "feature that wins the compliance team.",
    ]),
    # Acme Observability
    "observability.overview": ("Acme Observability", [
        "Acme Observability brings metrics, traces and logs together so engineers find the cause of an "
        "incident in minutes. OpenTelemetry collectors ship with every Acme Cloud Platform cluster.",
        "Service maps are built automatically from traces, and alerts group related symptoms into one "
        "incident instead of fifty pages at three in the morning.",
    ]),
    "observability.features": ("Features", [
        "OpenTelemetry-native ingestion of metrics, traces and logs; no proprietary agents.",
        "Kubernetes views per cluster, namespace and workload, with cost per service.",
        "Service-level objectives with error budgets and burn-rate alerts.",
        "Pricing per host with unlimited users, so every engineer can look at production data.",
    ]),
    # Competition and objections
    "battle.emea": ("Winning in EMEA", [
        "In Europe the first question is data sovereignty. Our control plane, support staff and backups "
        "for EU customers stay in the EU, and we publish a transfer impact assessment that legal teams can "
        "reuse.",
        "Against Stratix Cloud: Stratix is strong on price for pure public cloud but has no on-premises "
        "story. Customers migrating gradually, especially manufacturers with plants on-site, need both.",
        "Against local hosting providers: they win on relationships and language. Position Acme together "
        "with the partner's own services, not against them; the partner keeps the customer relationship.",
        "NIS2 and DORA are opening budgets in energy, finance and healthcare. Tie immutable backup and "
        "zero-trust access to the specific articles the customer must meet.",
    ]),
    "battle.objections": ("Objection handling", [
        "'It's too expensive.' Compare three-year cost, not list price: include egress, backup storage "
        "and the engineering time spent on four separate tools.",
        "'We're all-in on one hyperscaler.' Most are not: ask where their ERP, file servers and "
        "manufacturing systems run today, and what the exit plan is if prices rise.",
        "'Migration is too risky.' Offer the free migration assessment and a pilot with one application "
        "wave, with rollback in place.",
        "'We need to wait for the budget cycle.' Propose a paid proof of value now, credited against the "
        "first-year licence.",
    ]),
    "battle.tape": ("Acme Backup versus legacy tape", [
        "Tape is cheap per terabyte, but recovery is slow and nobody tests it. Ask the customer when they "
        "last restored a whole server from tape, and how long it took.",
        "Acme Backup restores a virtual machine in minutes and keeps immutable copies off-site without a "
        "courier. Compliance teams get automated restore test reports.",
        "Keep tape where the customer wants it for long-term archive; Acme Backup can write monthly copies "
        "to tape through the archive connector. Do not fight the archive, win the recovery.",
        "Qualifying questions: How many hours of downtime can the business accept? Who can delete your "
        "backups today? Did your cyber insurer ask about immutable copies?",
    ]),
    "battle.edge": ("Secure Edge objection handling", [
        "'Our VPN works fine.' Ask how contractors get access and how many firewall rules exist for them. "
        "VPNs put users on the network; Secure Edge gives access to one application.",
        "'Zero-trust is a multi-year programme.' The first step, retiring the VPN for remote users, takes "
        "weeks. Offer the 30-day pilot with 50 users.",
        "'We just renewed our firewalls.' Start with remote access and SaaS security; branch appliances can "
        "follow the firewall refresh cycle.",
        "'Performance will suffer.' Our 60 points of presence mean traffic is inspected close to the user; "
        "pilot customers report faster access to SaaS than over the VPN.",
    ]),
    # Pricing
    "pricing.gold": ("Gold partner pricing at a glance", [
        "Gold partners buy at 32% off list for registered new-logo deals, 25% for registered expansion "
        "deals and 18% for unregistered deals. Platinum partners add 5 points on every band.",
        "Deal registration protects the deal for 90 days and unlocks the higher band. Register as soon as "
        "the opportunity is qualified: budget, a named sponsor and a decision date.",
        "Multi-year terms: three-year prepaid deals earn an extra 8% customer discount funded by Acme, "
        "so the partner margin stays whole.",
    ]),
    "pricing.bands": ("Discount bands by deal type", [
        "New logo, registered: 32% off list (Platinum: 37%).",
        "Expansion at an existing customer, registered: 25% off list (Platinum: 30%).",
        "Renewal booked before the end date: 20% off list; after the subscription lapses: 12%.",
        "Unregistered deals, including competitive takeovers that were never registered: 18% off list.",
        "Services attached to a licence, such as migration or health checks, are priced by the partner; "
        "Acme sets no floor and takes no share.",
    ]),
    "pricing.example": ("A worked example", [
        "A new-logo deal for 400 vCPUs of Acme Cloud Platform Professional lists at 400 x USD 144 = "
        "USD 57,600 per year. The Gold buy price at 32% off is USD 39,168.",
        "Quoting the customer 15% off list (USD 48,960) leaves USD 9,792 of licence margin per year, "
        "before migration services.",
        "On a three-year prepaid term Acme funds another 8% off list: the customer pays USD 44,352 a year, "
        "the buy price drops to USD 34,560, and the margin stays at USD 9,792.",
    ]),
    "pricing.renewals": ("Renewals and price protection", [
        "The partner who registered the original deal owns the renewal for as long as the customer stays "
        "with them. Renewal quotes are generated in the portal 120 days before the end date.",
        "Customers on a three-year term keep their price for the whole term, even when list prices rise. "
        "Quote renewals at the then-current list price minus the renewal band.",
    ]),
    "pricing.negotiation": ("When the customer asks for more discount", [
        "Trade, never give. Every extra point of discount should buy something: a longer term, a bigger "
        "first order, a case study or a reference call.",
        "Requests above the Gold band go to your channel manager through the portal with the competitor's "
        "quote attached. Approvals usually come back within one business day.",
        "Never quote a price that depends on an approval you have not received. Customers remember the "
        "first number.",
    ]),
    "pricing.terms": ("Terms", [
        "Prices are list prices in the stated currency, excluding taxes. Annual subscriptions are invoiced "
        "in advance; monthly consumption is invoiced in arrears.",
        "Partner discounts apply to registered deals as per the partner programme guide. Quotes are valid "
        "for 30 days.",
        "Price changes are announced 60 days in advance in the partner portal.",
    ]),
    "pricing.msp": ("Consumption pricing for managed service providers", [
        "MSPs pay monthly for what their customers use, measured on the peak of each month: protected "
        "virtual machines, managed vCPUs or Secure Edge users.",
        "There is no minimum commitment in the first six months, so an MSP can build a service offer before "
        "committing volume. After that, a monthly commitment earns tiered discounts up to 35%.",
    ]),
    "pricing.terms_es": ("Condiciones", [
        "Precios de lista en dólares estadounidenses, sin impuestos. Las suscripciones anuales se facturan "
        "por adelantado.",
        "Los descuentos para socios se aplican a oportunidades registradas según la guía del programa. Las "
        "cotizaciones son válidas durante 30 días.",
        "Los cambios de precio se anuncian con 60 días de antelación en el portal de socios.",
    ]),
    # Programmes and marketing
    "msp.program": ("The Acme MSP programme", [
        "Managed service providers build recurring services on Acme: backup as a service, managed "
        "Kubernetes, secure access and cloud cost management, all from one multi-tenant console.",
        "The MSP console gives each end customer its own tenant, with the MSP's branding, role-based access "
        "for the MSP's engineers and consolidated monthly billing.",
        "Enablement includes two technical certifications, a sandbox tenant that never expires and "
        "co-marketing funds of up to 3% of the previous quarter's billing.",
    ]),
    "campaign.kit": ("Cloud Cost Control campaign", [
        "Campaign theme: 'Your cloud bill is not the weather.' Most IT leaders cannot predict next month's "
        "cloud spend, and egress charges make it worse. The campaign offers a free cloud cost assessment.",
        "Email 1 (week 1), subject line: 'Three numbers your CFO will ask about the cloud bill'. Email 2 "
        "(week 2): customer story of Northwind Logistics cutting spend by 31%. Email 3 (week 4): invitation "
        "to book the assessment.",
        "Social posts: six LinkedIn posts with matching tiles, and a 30-second video. Use the hashtag "
        "#CloudCostControl and tag Acme Cloud so we can amplify your posts.",
        "Landing page copy and the assessment form are ready to co-brand in the portal. Leads from the form "
        "are registered to you automatically.",
        "Timeline: launch window opens on the first Monday of the month; the campaign runs six weeks. "
        "Market development funds cover up to 50% of paid promotion.",
    ]),
    "harborline.plan": ("Harborline IT co-marketing plan", [
        "Goal for the half year: 40 qualified opportunities for Harborline's backup-as-a-service offer "
        "in Ireland and the UK, and 12 new managed customers.",
        "Activities: two breakfast seminars in Dublin and Manchester on ransomware recovery, a webinar with "
        "Acme's EMEA security lead, and a LinkedIn campaign aimed at IT managers in healthcare and legal "
        "firms.",
        "Funding: Acme covers 50% of event costs up to EUR 15,000 from market development funds; claims "
        "need invoices and attendee lists within 30 days of each event.",
        "Owners: Sofia Brandt (Harborline) and the Acme EMEA channel manager review progress monthly.",
    ]),
    "onboarding.faq": ("Partner onboarding FAQ", [
        "How do I register a deal? Open Deals in the portal and register the customer and product as soon "
        "as the opportunity is qualified. The first registration wins and is protected for 90 days.",
        "Which training do my people need? Sales reps complete the Acme Sales Foundations course; presales "
        "engineers complete the technical certification for each product they demonstrate.",
        "Where do I find pricing? Price lists are in the asset library; what you see depends on your tier.",
        "How do I get market development funds? Submit a plan through your channel manager at least four "
        "weeks before the activity.",
        "Who do I call for support? Partner support answers by phone and in the portal, 24x7 for "
        "severity 1 incidents.",
    ]),
    # Customer stories
    "case.northwind": ("Northwind Logistics: migrating 900 servers in 14 weeks", [
        "Northwind Logistics runs 40 warehouses across the United States and Canada. Its two data centres "
        "were reaching the end of their leases, and the IT team had 14 weeks to move 900 servers.",
        "With Summit Peak Systems, Northwind used the Acme migration planner to map dependencies and group "
        "servers into 11 move waves. The warehouse management system moved last, over a weekend, with a "
        "rollback plan that was never needed.",
        "Results: zero unplanned downtime, a 31% lower infrastructure bill in the first year and one team "
        "managing on-premises and cloud workloads from the same console.",
        "\"We were migrating the equivalent of a server every two hours, and the business never noticed,\" "
        "says Dana Whitfield, Northwind's VP of Infrastructure.",
    ]),
    "case.brightwater": ("Brightwater Health: back online four hours after a ransomware attack", [
        "Brightwater Health operates three hospitals and 25 clinics. In March an attacker used stolen VPN "
        "credentials to encrypt 300 servers, including the scheduling and imaging systems.",
        "Because Brightwater's backups were immutable snapshots in a separate security domain, the attacker "
        "could not touch them. Anomaly detection had already marked the last clean restore point.",
        "The team restored the clinical systems in priority order using Acme recovery runbooks. Patient "
        "scheduling was back within four hours, and all systems within two days. No ransom was paid.",
        "Brightwater has since moved remote access to Acme Secure Edge, retiring the VPN that let the "
        "attacker in.",
    ]),
    "case.pinecrest": ("Pinecrest Credit Union: zero-trust in one quarter", [
        "Pinecrest Credit Union serves 180,000 members from 22 branches. Examiners asked for stronger "
        "controls on third-party access, and the VPN had become the weakest link.",
        "Pinecrest rolled out Acme Secure Edge with Acme Identity in three phases: contractors first, then "
        "remote staff, then the branches. Each application is now reachable only by the people and devices "
        "that need it.",
        "Results: the VPN was retired in 11 weeks, firewall rules dropped from 1,400 to 160, and the next "
        "examination closed the third-party access finding.",
    ]),
    "case.kessler": ("Fallstudie: Kessler Maschinenbau GmbH", [
        "Kessler Maschinenbau fertigt Verpackungsanlagen an drei Standorten in Baden-Württemberg. Die IT "
        "musste Produktionssysteme vor Ort betreiben und gleichzeitig die Verwaltung in die Cloud bringen.",
        "Gemeinsam mit Meridian Distribution und Lakeside Tech führte Kessler Acme Cloud Platform und Acme "
        "Backup ein. Die Migration der Verwaltungssysteme dauerte sechs Wochen, die Produktion blieb "
        "unberührt.",
        "Ergebnis: 28 Prozent geringere Betriebskosten, Wiederherstellung einer Maschinensteuerung in unter "
        "zehn Minuten und eine Datenhaltung ausschließlich in Deutschland.",
    ]),
    "case.valleverde": ("Caso de éxito: Cooperativa Agrícola Valle Verde", [
        "Valle Verde agrupa a 2.300 productores de fruta en Murcia y Valencia. Sus datos de cosecha, "
        "logística y ventas estaban repartidos en hojas de cálculo y tres sistemas distintos.",
        "Con Acme Analytics, la cooperativa conectó sus sistemas en cuatro semanas y creó paneles de "
        "rendimiento por parcela, por cliente y por ruta de transporte.",
        "Resultado: la planificación de la cosecha se hace en un día en lugar de una semana, y los costes "
        "de transporte bajaron un 12 por ciento en la primera campaña.",
    ]),
    # Presentations: each section is one slide
    "deck.pitch.problem": ("The problem: four consoles, one budget", [
        "Workloads spread across data centres and several clouds",
        "Separate tools for VMs, Kubernetes, backup and security",
        "Cloud bills nobody can predict, egress surprises every month",
        "Migration projects stall on risk and missing skills",
    ]),
    "deck.pitch.solution": ("Acme Cloud Platform", [
        "One platform for VMs, containers and managed databases",
        "Same policies on-premises and in every cloud",
        "Budgets, rightsizing and egress forecasts built in",
        "Migration planner: dependency mapping and move waves",
    ]),
    "deck.pitch.proof": ("Customers who made the move", [
        "Northwind Logistics: 900 servers migrated in 14 weeks, 31% lower cost",
        "Brightwater Health: restored from ransomware in four hours",
        "Pinecrest Credit Union: VPN retired in 11 weeks",
    ]),
    "deck.pitch.next": ("Next steps", [
        "Free migration and cost assessment (two weeks)",
        "Pilot with one application wave and rollback plan",
        "Commercial proposal with three-year price lock",
    ]),
    "deck.k8s.architecture": ("Managed Kubernetes architecture", [
        "Control plane managed by Acme, worker nodes in your environment",
        "Upstream-conformant Kubernetes, CNCF certified",
        "Node auto-repair, surge upgrades, GPU and ARM node pools",
        "Ingress, secrets and storage classes configured by policy",
    ]),
    "deck.k8s.demo": ("Demo flow (20 minutes)", [
        "Create a cluster on vSphere from the catalogue",
        "Deploy the sample shop application with Helm",
        "Break a node and watch auto-repair",
        "Back up the namespace with Acme Backup and restore it to the cloud",
    ]),
    "deck.k8s.questions": ("Questions presales engineers hear", [
        "Can we bring our own CNI? Yes: Cilium and Calico are supported",
        "How are upgrades done? Surge upgrades with pod disruption budgets respected",
        "Multi-cluster? Fleet policies apply to every cluster in a project",
        "Egress control? Network policies plus Secure Edge for outbound traffic",
    ]),
    "deck.program.tiers": ("Partner tiers", [
        "Registered: access to the portal, training and list pricing",
        "Silver: deal registration discounts and marketing funds",
        "Gold: higher discount bands, pricing playbook, dedicated channel manager",
        "Platinum: roadmap briefings, distributor pricing, joint business plan",
    ]),
    "deck.program.benefits": ("What partners get", [
        "Deal registration protected for 90 days",
        "Market development funds up to 3% of revenue",
        "Free not-for-resale licences for demo labs",
        "Certification paths for sales, presales and post-sales",
    ]),
    "deck.program.path": ("Moving up a tier", [
        "Silver: two certified sales reps and one closed deal",
        "Gold: USD 500,000 annual bookings and two certified engineers",
        "Platinum: USD 2 million bookings and a joint business plan",
    ]),
    "deck.roadmap.themes": ("Roadmap themes for the next half year", [
        "Sovereign cloud regions in France and Germany",
        "AI-assisted migration planning for databases",
        "Backup for Kubernetes at petabyte scale",
        "Unified policy engine across Secure Edge and Cloud Platform",
    ]),
    "deck.roadmap.partners": ("What changes for Platinum partners", [
        "Early access programme for sovereign regions",
        "Distributor marketplace with instant provisioning",
        "Confidential: pricing changes for Secure Edge appliances in Q3",
    ]),
    "deck.backup_fr.enjeux": ("Les enjeux", [
        "Les rançongiciels ciblent d'abord les sauvegardes",
        "Les restaurations prennent des jours, pas des heures",
        "Les tests de restauration sont rares et manuels",
    ]),
    "deck.backup_fr.solution": ("La réponse Acme Backup", [
        "Sauvegardes immuables dans un domaine de sécurité séparé",
        "Détection d'anomalies pendant chaque sauvegarde",
        "Restauration instantanée des machines virtuelles",
        "Tests de restauration automatisés et rapports pour les auditeurs",
    ]),
    "deck.backup_fr.offre": ("Notre offre", [
        "Licence par machine protégée ou par téraoctet",
        "Hébergement des copies en France et en Belgique",
        "Accompagnement par un partenaire certifié",
    ]),
    "deck.qbr.review": ("Quarterly business review: the last quarter", [
        "Adoption: active users, workloads under management, features in use",
        "Support: tickets opened, time to resolution, open escalations",
        "Value delivered: cost savings, recovery tests passed, incidents avoided",
    ]),
    "deck.qbr.plan": ("Plan for the next quarter", [
        "Renewal date and expansion opportunities",
        "Training needs for the customer's team",
        "Agreed actions with owners and dates",
    ]),
}

PRICE_ROWS = [  # SKU, product, edition, unit, annual list price in USD
    ("ACP-STD-VCPU", "Acme Cloud Platform", "Standard", "vCPU", 96),
    ("ACP-PRO-VCPU", "Acme Cloud Platform", "Professional", "vCPU", 144),
    ("ACP-ENT-VCPU", "Acme Cloud Platform", "Enterprise", "vCPU", 210),
    ("BKP-VM", "Acme Backup", "Standard", "protected VM", 180),
    ("BKP-M365", "Acme Backup", "Microsoft 365", "user", 24),
    ("BKP-VAULT-TB", "Acme Backup", "Vault storage", "TB", 260),
    ("SE-ZTNA-USER", "Acme Secure Edge", "ZTNA", "user", 72),
    ("SE-SASE-USER", "Acme Secure Edge", "SASE", "user", 120),
    ("SE-100", "Acme Secure Edge", "Appliance SE-100", "site", 1900),
    ("SE-500", "Acme Secure Edge", "Appliance SE-500", "site", 6400),
    ("ANL-STD-GB", "Acme Analytics", "Standard", "GB ingested per day", 1100),
    ("ANL-PRO-GB", "Acme Analytics", "Professional", "GB ingested per day", 1650),
    ("IDN-SSO-USER", "Acme Identity", "SSO + MFA", "user", 36),
    ("IDN-LCM-USER", "Acme Identity", "Lifecycle", "user", 54),
    ("OBS-HOST", "Acme Observability", "Standard", "host", 216),
]
PRICE_HEADERS = {
    "en": ("SKU", "Product", "Edition", "Unit", "List price", "Partner price"),
    "es": ("Referencia", "Producto", "Edición", "Unidad", "Precio de lista", "Precio socio"),
}


class PriceSheet(NamedTuple):
    currency: str
    term: str  # what a price covers, shown in the sheet's title
    factor: float  # applied to PRICE_ROWS' annual USD list prices
    discount: float  # the partner price's discount off this sheet's list price


PRICE_SHEETS = {
    "2026": PriceSheet("USD", "annual subscription", 1.0, 0.18),
    "2025": PriceSheet("USD", "annual subscription", 0.94, 0.18),
    "msp": PriceSheet("USD", "per month, billed on consumption", 1.1 / 12, 0.25),
    "distributor": PriceSheet("EUR", "annual subscription", 0.93, 0.42),
    "latam": PriceSheet("USD", "suscripción anual", 1.0, 0.2),
}


class Artwork(NamedTuple):
    style: str  # "logos", "badge" or "banner"
    size: tuple[int, int]
    headline: str
    tagline: str = ""


# --- The library -----------------------------------------------------------------------


class DemoAsset(NamedTuple):
    title: str
    asset_type: AssetType
    product: str | None
    audience: str  # a key of AUDIENCES, or NAMED_ORG_AUDIENCE
    days_ago: int  # when it was published; negative means scheduled
    summary: str
    tags: str
    file: str | None = None  # its extension picks the format
    sections: tuple[str, ...] = ()
    price_sheet: str | None = None
    artwork: Artwork | None = None
    language: str = "en"
    expired_days_ago: int | None = None
    video_url: str | None = None


VIDEOS = "https://videos.acme-cloud.example"

OVERVIEW_DATASHEET = DemoAsset(
    "Product Overview Datasheet", AssetType.datasheet, "Acme Cloud Platform", "everyone", 80,
    "Acme Cloud Platform in two pages: capabilities, specifications and editions.",
    "overview, datasheet, migration, kubernetes",
    file="acme-product-overview-datasheet.pdf",
    sections=("platform.overview", "platform.features", "platform.specs", "platform.licensing"),
)
OVERVIEW_DATASHEET_V2 = OVERVIEW_DATASHEET._replace(
    file="acme-product-overview-datasheet-2026-2.pdf",
    sections=OVERVIEW_DATASHEET.sections + ("platform.whats_new",),
)

DEMO_ASSETS = [
    OVERVIEW_DATASHEET,
    DemoAsset("Acme Backup Datasheet", AssetType.datasheet, "Acme Backup", "everyone", 70,
              "Immutable backup and instant recovery for VMs, servers, Microsoft 365 and SaaS.",
              "backup, ransomware, datasheet", file="acme-backup-datasheet.pdf",
              sections=("backup.overview", "backup.features", "backup.specs")),
    DemoAsset("Acme Secure Edge Datasheet", AssetType.datasheet, "Acme Secure Edge", "everyone", 64,
              "Zero-trust access, secure web gateway and SD-WAN in one cloud service.",
              "zero-trust, sase, networking", file="acme-secure-edge-datasheet.pdf",
              sections=("edge.overview", "edge.features", "edge.specs")),
    DemoAsset("Acme Analytics Datasheet", AssetType.datasheet, "Acme Analytics", "everyone", 58,
              "Operational and cost analytics with natural-language questions.",
              "analytics, finops", file="acme-analytics-datasheet.pdf",
              sections=("analytics.overview", "analytics.features", "analytics.specs")),
    DemoAsset("Acme Identity Datasheet", AssetType.datasheet, "Acme Identity", "everyone", 52,
              "Single sign-on, passwordless MFA and lifecycle management.",
              "identity, sso, mfa", file="acme-identity-datasheet.pdf",
              sections=("identity.overview", "identity.features", "identity.specs")),
    DemoAsset("Acme Backup Datenblatt", AssetType.datasheet, "Acme Backup", "everyone", 45,
              "Das Datenblatt zu Acme Backup auf Deutsch.",
              "backup, ransomware, dsgvo", file="acme-backup-datenblatt.pdf",
              sections=("backup.de", "backup.de.features"), language="de"),
    DemoAsset("Acme Secure Edge Technical Specifications", AssetType.datasheet, "Acme Secure Edge", "presales", 40,
              "Specifications, reference architecture and sizing for presales engineers.",
              "zero-trust, sizing, architecture", file="acme-secure-edge-technical-specifications.docx",
              sections=("edge.specs", "edge.architecture", "edge.sizing")),
    DemoAsset("Acme Observability Datasheet", AssetType.datasheet, "Acme Observability", "everyone", 12,
              "Metrics, traces and logs on OpenTelemetry, priced per host.",
              "observability, kubernetes, opentelemetry", file="acme-observability-datasheet.md",
              sections=("observability.overview", "observability.features")),
    DemoAsset("Acme Backup 8.2 Release Notes", AssetType.datasheet, "Acme Backup", "presales", 11,
              "What is new, improved and fixed in Acme Backup 8.2, and how to upgrade.",
              "release notes, kubernetes, backup", file="acme-backup-8.2-release-notes.txt",
              sections=("backup.release_notes",)),
    DemoAsset("Acme Secure Edge Quick Reference", AssetType.datasheet, "Acme Secure Edge", "everyone", 19,
              "Console address, support numbers, agent install and first checks.",
              "support, quick reference", file="acme-secure-edge-quick-reference.txt",
              sections=("edge.quick_reference",)),
    DemoAsset("Acme Analytics 5.0 Launch Brief", AssetType.datasheet, "Acme Analytics", "everyone", -10,
              "Semantic layer, predictive forecasting and the launch promotion.",
              "launch, analytics", file="acme-analytics-5-launch-brief.pdf",
              sections=("analytics.launch", "analytics.features")),
    DemoAsset("Acme Cloud Platform Brochure", AssetType.brochure, "Acme Cloud Platform", "everyone", 75,
              "Why customers run their data centre and cloud workloads on Acme.",
              "brochure, migration, hybrid cloud", file="acme-cloud-platform-brochure.pdf",
              sections=("platform.overview", "platform.why", "case.northwind")),
    DemoAsset("Ransomware Resilience Brochure", AssetType.brochure, "Acme Backup", "everyone", 33,
              "How immutable backup and tested recovery take the sting out of ransomware.",
              "ransomware, backup, security", file="acme-ransomware-resilience-brochure.pdf",
              sections=("backup.ransomware", "backup.features", "case.brightwater")),
    DemoAsset("Acme Cloud Platform — brochure", AssetType.brochure, "Acme Cloud Platform", "everyone", 27,
              "La brochure Acme Cloud Platform pour les clients francophones.",
              "brochure, migration, souveraineté", file="acme-cloud-platform-brochure-fr.pdf",
              sections=("platform.fr", "platform.fr.benefits"), language="fr"),
    DemoAsset("Acme MSP Program Guide", AssetType.brochure, None, "msp", 50,
              "Building recurring services on Acme: multi-tenant console, billing and enablement.",
              "msp, programme, consumption", file="acme-msp-program-guide.docx",
              sections=("msp.program", "pricing.msp")),
    DemoAsset("Zero-Trust Buyer's Guide", AssetType.brochure, "Acme Secure Edge", "everyone", 20,
              "Five steps to zero-trust, and the questions to ask any vendor.",
              "zero-trust, vpn, guide", file="acme-zero-trust-buyers-guide.docx",
              sections=("edge.zero_trust", "edge.features")),
    DemoAsset("Marketing Campaign Kit", AssetType.brochure, "Acme Cloud Platform", "marketing", 9,
              "Cloud Cost Control: emails, social posts and landing page copy, ready to co-brand.",
              "campaign, email, social, cost", file="acme-marketing-campaign-kit.docx",
              sections=("campaign.kit",)),
    DemoAsset("Harborline IT Co-Marketing Plan", AssetType.brochure, "Acme Backup", NAMED_ORG_AUDIENCE, 6,
              "The joint half-year plan for Harborline IT's backup-as-a-service campaign.",
              "co-marketing, mdf, msp", file="harborline-co-marketing-plan.docx",
              sections=("harborline.plan",)),
    DemoAsset("Partner Onboarding FAQ", AssetType.brochure, None, "everyone", 84,
              "Deal registration, training, pricing, funds and support: the first questions answered.",
              "onboarding, faq, deal registration", file="partner-onboarding-faq.md",
              sections=("onboarding.faq",)),
    DemoAsset("EMEA Competitive Battlecard", AssetType.battlecard, "Acme Cloud Platform", "emea", 15,
              "Sovereignty, Stratix Cloud, local hosters and NIS2: how to win in EMEA.",
              "competition, emea, sovereignty, nis2", file="acme-emea-competitive-battlecard.pdf",
              sections=("battle.emea", "battle.objections")),
    DemoAsset("Acme Backup vs. Legacy Tape", AssetType.battlecard, "Acme Backup", "sales", 38,
              "Win the recovery, not the archive: questions and answers against tape.",
              "competition, tape, backup", file="acme-backup-vs-tape.txt",
              sections=("battle.tape",)),
    DemoAsset("Secure Edge Objection Handling", AssetType.battlecard, "Acme Secure Edge", "sales", 25,
              "Answers to the four objections every Secure Edge deal meets.",
              "objections, vpn, zero-trust", file="secure-edge-objection-handling.md",
              sections=("battle.edge",)),
    DemoAsset("Acme Identity Battlecard — North America", AssetType.battlecard, "Acme Identity", "na", 18,
              "Winning identity deals against the incumbents in North America.",
              "competition, identity, hipaa", file="acme-identity-battlecard-na.pdf",
              sections=("identity.battle_na",)),
    DemoAsset("Acme Analytics Battlecard", AssetType.battlecard, "Acme Analytics", "presales", 30,
              "Where Analytics wins, Quantra BI, and landmine questions.",
              "competition, analytics", file="acme-analytics-battlecard.docx",
              sections=("battle.analytics",)),
    DemoAsset("Northwind Logistics: 900 servers migrated in 14 weeks", AssetType.case_study, "Acme Cloud Platform",
              "everyone", 60, "How Northwind moved two data centres without downtime and cut cost by 31%.",
              "case study, migration, logistics", file="case-study-northwind-logistics.pdf",
              sections=("case.northwind",)),
    DemoAsset("Brightwater Health: back online four hours after ransomware", AssetType.case_study, "Acme Backup",
              "everyone", 44, "A hospital group restores 300 servers from immutable backups and pays no ransom.",
              "case study, ransomware, healthcare", file="case-study-brightwater-health.pdf",
              sections=("case.brightwater",)),
    DemoAsset("Pinecrest Credit Union goes zero-trust", AssetType.case_study, "Acme Secure Edge", "everyone", 22,
              "VPN retired in 11 weeks and an examination finding closed.",
              "case study, zero-trust, financial services", file="case-study-pinecrest-credit-union.docx",
              sections=("case.pinecrest",)),
    DemoAsset("Fallstudie: Kessler Maschinenbau", AssetType.case_study, "Acme Cloud Platform", "everyone", 35,
              "Ein Maschinenbauer verbindet Produktion vor Ort und Verwaltung in der Cloud.",
              "fallstudie, fertigung, migration", file="fallstudie-kessler-maschinenbau.docx",
              sections=("case.kessler",), language="de"),
    DemoAsset("Caso de éxito: Cooperativa Valle Verde", AssetType.case_study, "Acme Analytics", "everyone", 14,
              "Una cooperativa agrícola planifica la cosecha con Acme Analytics.",
              "caso de éxito, analytics, agricultura", file="caso-de-exito-valle-verde.md",
              sections=("case.valleverde",), language="es"),
    DemoAsset("Acme Cloud Platform Sales Pitch Deck", AssetType.presentation, "Acme Cloud Platform", "sales", 55,
              "The first-meeting deck: problem, platform, proof and next steps.",
              "pitch, first meeting", file="acme-cloud-platform-pitch-deck.pptx",
              sections=("deck.pitch.problem", "deck.pitch.solution", "deck.pitch.proof", "deck.pitch.next")),
    DemoAsset("Presales Deep Dive: Kubernetes on Acme", AssetType.presentation, "Acme Cloud Platform", "presales", 28,
              "Architecture, a 20-minute demo flow and the questions engineers ask.",
              "kubernetes, demo, technical", file="presales-kubernetes-deep-dive.pptx",
              sections=("deck.k8s.architecture", "deck.k8s.demo", "deck.k8s.questions")),
    DemoAsset("Partner Program Overview 2026", AssetType.presentation, None, "everyone", 85,
              "Tiers, benefits and the path to the next tier.",
              "programme, tiers, benefits", file="partner-program-overview-2026.pptx",
              sections=("deck.program.tiers", "deck.program.benefits", "deck.program.path")),
    DemoAsset("Platinum Roadmap Briefing", AssetType.presentation, None, "platinum", 10,
              "Confidential roadmap themes and what they mean for Platinum partners.",
              "roadmap, confidential", file="platinum-roadmap-briefing.pptx",
              sections=("deck.roadmap.themes", "deck.roadmap.partners")),
    DemoAsset("Acme Backup — présentation client", AssetType.presentation, "Acme Backup", "everyone", 24,
              "Présentation client : enjeux, réponse Acme Backup et offre.",
              "rançongiciel, sauvegarde", file="acme-backup-presentation-client.pptx",
              sections=("deck.backup_fr.enjeux", "deck.backup_fr.solution", "deck.backup_fr.offre"),
              language="fr"),
    DemoAsset("Quarterly Business Review Template", AssetType.presentation, None, "post_sales", 16,
              "A QBR outline for customer success: adoption, support, value and the plan.",
              "qbr, customer success, renewal", file="quarterly-business-review-template.pptx",
              sections=("deck.qbr.review", "deck.qbr.plan")),
    DemoAsset("Gold Partner Pricing Playbook", AssetType.price_list, None, "gold_up", 21,
              "Discount bands, deal registration and how to handle discount requests.",
              "pricing, discount, deal registration", file="gold-partner-pricing-playbook.pdf",
              sections=("pricing.gold", "pricing.bands", "pricing.example", "pricing.negotiation",
                        "pricing.renewals")),
    DemoAsset("2026 Partner Price List", AssetType.price_list, None, "everyone", 88,
              "List and partner prices for every Acme product, in USD.",
              "pricing, price list", file="acme-partner-price-list-2026.xlsx",
              sections=("pricing.terms",), price_sheet="2026"),
    DemoAsset("2025 Price List (retired)", AssetType.price_list, None, "everyone", 90,
              "Last year's prices, kept for renewals quoted before the change.",
              "pricing, price list, retired", file="acme-partner-price-list-2025.xlsx",
              sections=("pricing.terms",), price_sheet="2025", expired_days_ago=30),
    DemoAsset("MSP Consumption Price List", AssetType.price_list, None, "msp", 48,
              "Monthly consumption prices for managed service providers.",
              "msp, pricing, consumption", file="acme-msp-consumption-price-list.xlsx",
              sections=("pricing.msp", "pricing.terms"), price_sheet="msp"),
    DemoAsset("Platinum Distributor Price File", AssetType.price_list, None, "platinum", 36,
              "Distributor prices in EUR for Platinum partners.",
              "pricing, distributor", file="platinum-distributor-price-file.xlsx",
              sections=("pricing.terms",), price_sheet="distributor"),
    DemoAsset("Lista de precios 2026 — LATAM", AssetType.price_list, None, "latam", 42,
              "Precios de lista y de socio para América Latina.",
              "precios, latam", file="lista-de-precios-2026-latam.xlsx",
              sections=("pricing.terms_es",), price_sheet="latam", language="es"),
    DemoAsset("Acme Cloud Logo Pack", AssetType.logo_pack, None, "everyone", 86,
              "The Acme Cloud logo in colour, reversed and mono, with clear-space rules.",
              "logo, brand", file="acme-cloud-logo-pack.png",
              artwork=Artwork("logos", (1200, 630), "acme cloud")),
    DemoAsset("Gold Partner Badge", AssetType.logo_pack, None, "gold_up", 47,
              "The Gold partner badge for your website and email signature.",
              "badge, logo, gold", file="acme-gold-partner-badge.png",
              artwork=Artwork("badge", (800, 800), "GOLD", "PARTNER")),
    DemoAsset("Cloud Cost Control Campaign Banners", AssetType.logo_pack, "Acme Cloud Platform", "marketing", 8,
              "Web banners for the Cloud Cost Control campaign.",
              "campaign, banner, cost", file="cloud-cost-control-banner.jpg",
              artwork=Artwork("banner", (1200, 400), "Your cloud bill is not the weather.",
                              "Book a free cloud cost assessment")),
    DemoAsset("Acme Secure Edge Web Banner", AssetType.logo_pack, "Acme Secure Edge", "everyone", 26,
              "A web banner for Secure Edge, ready to co-brand.",
              "banner, zero-trust", file="acme-secure-edge-banner.jpg",
              artwork=Artwork("banner", (1200, 400), "Zero-trust access for every site.",
                              "Retire the VPN in weeks, not years")),
    DemoAsset("Social Media Tiles — Ransomware Awareness", AssetType.logo_pack, "Acme Backup", "marketing", 13,
              "A square tile for LinkedIn and X for Ransomware Awareness Month.",
              "social, ransomware, campaign", file="ransomware-awareness-tile.png",
              artwork=Artwork("banner", (1080, 1080), "Can you restore by lunchtime?",
                              "Immutable backup with Acme")),
    DemoAsset("Acme Cloud Platform in 3 Minutes", AssetType.video, "Acme Cloud Platform", "everyone", 62,
              "A short tour of the platform for first meetings and your website.",
              "video, overview", video_url=f"{VIDEOS}/acme-cloud-platform-in-3-minutes"),
    DemoAsset("Presales Demo: Restoring from Immutable Snapshots", AssetType.video, "Acme Backup", "presales", 17,
              "A recorded demo: detect a ransomware attack, find the clean point, restore.",
              "video, demo, ransomware", video_url=f"{VIDEOS}/restoring-from-immutable-snapshots"),
    DemoAsset("Webinar Replay: Zero-Trust for the Mid-Market", AssetType.video, "Acme Secure Edge", "everyone", 5,
              "One hour with Pinecrest Credit Union on retiring the VPN.",
              "video, webinar, zero-trust", video_url=f"{VIDEOS}/zero-trust-for-the-mid-market"),
]

# --- Seeding the demo library ------------------------------------------------------------


def seed_demo_assets(orgs: dict[str, Organization], author: User) -> None:
    """The products, DEMO_ASSETS with their files, some downloads and a second version."""
    products = _seed_products()
    store = current_store()
    created = {}
    for spec in DEMO_ASSETS:
        file = _prepared(spec, store) if spec.file else None
        created[spec.title] = services.create_asset(author, _asset_input(spec, orgs, products), file)
    _record_downloads(created)
    services.add_version(author, created[VERSIONED_TITLE], _prepared(OVERVIEW_DATASHEET_V2, store))


def _seed_products() -> dict[str, Product]:
    products = {name: Product(name=name) for name in PRODUCTS}
    db.session.add_all(products.values())
    db.session.flush()
    return products


def _asset_input(spec: DemoAsset, orgs: dict[str, Organization], products: dict[str, Product]) -> services.AssetInput:
    now = clock.now()
    return services.AssetInput(
        title=spec.title, summary=spec.summary, asset_type=spec.asset_type,
        product_id=products[spec.product].id if spec.product else None,
        tags=spec.tags, language=spec.language,
        publish_at=now - timedelta(days=spec.days_ago),
        expire_at=now - timedelta(days=spec.expired_days_ago) if spec.expired_days_ago else None,
        external_url=spec.video_url, audience=_audience(spec.audience, orgs),
    )


def _audience(key: str, orgs: dict[str, Organization]) -> AudienceSpec:
    if key == NAMED_ORG_AUDIENCE:
        return AudienceSpec(org_ids=frozenset({orgs[key].id}))
    return AUDIENCES[key]


def _record_downloads(assets: dict[str, Asset]) -> None:
    """A repeatable spread of partner downloads, each of an asset its user may see."""
    partners = db.session.scalars(
        sa.select(User).join(Organization, User.org).where(Organization.kind == OrgKind.partner).order_by(User.id)
    ).all()
    stale = next(user for user in partners if user.email == STALE_DOWNLOADER)
    versioned = assets[VERSIONED_TITLE]
    services.record_download(stale, versioned, versioned.current)
    rng = random.Random(2026)
    for user in partners:
        visible = set(db.session.scalars(services.assets_for(user).with_only_columns(Asset.id)))
        downloadable = [asset for asset in assets.values() if asset.id in visible and asset.version]
        for asset in rng.choices(downloadable, k=rng.randint(2, 7)):
            services.record_download(user, asset, asset.current)


# --- Files: built and prepared once per process -------------------------------------------

_prepared_files: dict[tuple[str, str], tuple[PreparedFile, bytes | None]] = {}


def _prepared(spec: DemoAsset, store: BlobStore) -> PreparedFile:
    """prepare() the first time; later (each test has its own store) only write the blobs."""
    data = demo_file(spec)
    key = (spec.file, hashlib.sha256(data).hexdigest())
    if key not in _prepared_files:
        prepared = prepare(data, spec.file, store)
        preview = read(store, prepared.preview_sha) if prepared.preview_sha else None
        _prepared_files[key] = prepared, preview
        return prepared
    prepared, preview = _prepared_files[key]
    for blob in (data, preview):
        if blob is not None:
            _write_blob(store, blob)
    return prepared


def _write_blob(store: BlobStore, data: bytes) -> str:
    """Not durable: demo and generated files can always be made again, and an fsync per
    file (a few ms each) would dominate the seed that most tests run."""
    return store.put(data, durable=False)


@functools.cache
def demo_file(spec: DemoAsset) -> bytes:
    """The bytes of a demo asset's file, the same on every call."""
    extension = spec.file.rsplit(".", 1)[1]
    return _RENDERERS[extension](spec)


def _sections(spec: DemoAsset) -> list[tuple[str, list[str]]]:
    return [SECTIONS[key] for key in spec.sections]


def _colour(spec: DemoAsset) -> str:
    return PRODUCTS.get(spec.product, VENDOR_COLOUR)


def _kicker(spec: DemoAsset) -> str:
    """The small line above a title, e.g. "DATASHEET · ACME BACKUP"."""
    return " · ".join(part.upper() for part in (spec.asset_type.label, spec.product) if part)


PDF_STYLE = """
@page { size: A4; margin: 16mm 16mm 20mm;
        @bottom-left { content: "Acme Cloud Inc. · acme-cloud.example · For partner use";
                       font: 7.5pt 'Liberation Sans'; color: #64748b }
        @bottom-right { content: counter(page); font: 7.5pt 'Liberation Sans'; color: #64748b } }
@page :first { margin-top: 0 }
body { font: 9.5pt/1.45 'Liberation Sans', sans-serif; color: #1e293b }
header { margin: 0 -16mm 8mm; padding: 9mm 16mm 7mm; background: VAR_COLOUR; color: white }
header .brand { font-weight: bold; font-size: 11pt; letter-spacing: 0.08em }
header .kicker { font-size: 8pt; letter-spacing: 0.12em; opacity: 0.85; margin-top: 1mm }
h1 { font-size: 22pt; line-height: 1.15; margin: 0 0 3mm; color: #0f172a }
.lede { font-size: 11.5pt; color: #475569; margin: 0 0 6mm; padding-bottom: 5mm;
        border-bottom: 2pt solid VAR_COLOUR }
.columns { column-count: 2; column-gap: 9mm }
h2 { font-size: 11.5pt; color: VAR_COLOUR; margin: 0 0 2mm; break-after: avoid }
section { margin-bottom: 5mm }
p { margin: 0 0 2.5mm; text-align: left }
"""


def _pdf(spec: DemoAsset) -> bytes:
    body = "".join(
        f"<section><h2>{html.escape(heading)}</h2>"
        + "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
        + "</section>"
        for heading, paragraphs in _sections(spec)
    )
    page = (
        f"<!doctype html><html lang='{spec.language}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(spec.title)}</title><style>{PDF_STYLE.replace('VAR_COLOUR', _colour(spec))}</style>"
        f"</head><body><header><div class='brand'>ACME CLOUD</div>"
        f"<div class='kicker'>{html.escape(_kicker(spec))}</div></header>"
        f"<h1>{html.escape(spec.title)}</h1><p class='lede'>{html.escape(spec.summary)}</p>"
        f"<div class='columns'>{body}</div></body></html>"
    )
    return render_pdf(page, store=current_store())  # the one renderer; this page loads nothing


# Office files carry the times they were made and saved; a fixed one keeps their bytes the same.
FIXED_TIME = datetime(2026, 1, 5, 9, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _docx(spec: DemoAsset) -> bytes:
    document = WordDocument()
    _set_core_properties(document.core_properties, spec)
    document.add_paragraph(_kicker(spec))
    document.add_heading(spec.title, level=0)
    document.add_paragraph().add_run(spec.summary).italic = True
    for heading, paragraphs in _sections(spec):
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    return _saved(document)


def _pptx(spec: DemoAsset) -> bytes:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    _set_core_properties(deck.core_properties, spec)
    title_slide = deck.slides.add_slide(deck.slide_layouts[0])
    title_slide.shapes.title.text = spec.title
    title_slide.placeholders[1].text = spec.summary
    for heading, bullets in _sections(spec):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for bullet in bullets[1:]:
            body.add_paragraph().text = bullet
        for paragraph in body.paragraphs:
            paragraph.font.size = Pt(24)
    return _saved(deck)


def _set_core_properties(properties, spec: DemoAsset) -> None:
    properties.title = spec.title
    properties.author = "Acme Cloud Partner Marketing"
    properties.language = spec.language
    properties.created = properties.modified = FIXED_TIME
    properties.last_printed = FIXED_TIME


def _saved(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return _without_save_times(output.getvalue())


def _without_save_times(office_file: bytes) -> bytes:
    """Office files are ZIP archives whose entries carry the time of saving, and openpyxl
    also writes it into the document properties whatever they say."""
    output = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(office_file)) as source,
          zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target):
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + FIXED_TIME.isoformat().encode() + rb"Z\2", content)
            target.writestr(zipfile.ZipInfo(entry.filename, FIXED_TIME.timetuple()[:6]), content)
    return output.getvalue()


def _xlsx(spec: DemoAsset) -> bytes:
    sheet_spec = PRICE_SHEETS[spec.price_sheet]
    workbook = Workbook()
    workbook.properties.creator = "Acme Cloud Channel Operations"
    workbook.properties.created = FIXED_TIME
    prices = workbook.active
    prices.title = "Prices"
    _fill_price_sheet(prices, spec, sheet_spec)
    terms = workbook.create_sheet("Terms")
    terms.column_dimensions["A"].width = 110
    for heading, paragraphs in _sections(spec):
        terms.append([heading])
        terms.cell(terms.max_row, 1).font = Font(bold=True)
        for paragraph in paragraphs:
            terms.append([paragraph])
            terms.cell(terms.max_row, 1).alignment = Alignment(wrap_text=True)
    return _saved(workbook)


def _fill_price_sheet(sheet, spec: DemoAsset, sheet_spec: PriceSheet) -> None:
    sheet.append([f"{spec.title} ({sheet_spec.currency}, {sheet_spec.term})"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(PRICE_HEADERS.get(spec.language, PRICE_HEADERS["en"]))
    fill = PatternFill("solid", fgColor=VENDOR_COLOUR.lstrip("#"))
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
    money = f'#,##0.00 "{sheet_spec.currency}"'
    for sku, product, edition, unit, price in PRICE_ROWS:
        list_price = round(price * sheet_spec.factor, 2)
        sheet.append([sku, product, edition, unit, list_price, round(list_price * (1 - sheet_spec.discount), 2)])
        for cell in sheet[sheet.max_row][4:]:
            cell.number_format = money
    for column, width in zip("ABCDEF", (16, 24, 20, 22, 16, 16)):
        sheet.column_dimensions[column].width = width


def _markdown(spec: DemoAsset) -> bytes:
    parts = [f"# {spec.title}", f"_{spec.summary}_"]
    for heading, paragraphs in _sections(spec):
        parts.append(f"## {heading}")
        parts.extend(paragraphs)
    return ("\n\n".join(parts) + "\n").encode()


def _text(spec: DemoAsset) -> bytes:
    parts = [f"{spec.title}\n{'=' * len(spec.title)}", spec.summary]
    for heading, paragraphs in _sections(spec):
        parts.append(f"{heading}\n{'-' * len(heading)}")
        parts.extend(paragraphs)
    return ("\n\n".join(parts) + "\n").encode()


def _png(spec: DemoAsset) -> bytes:
    return _encoded(_draw(spec), "PNG")


def _jpeg(spec: DemoAsset) -> bytes:
    return _encoded(_draw(spec).convert("RGB"), "JPEG", quality=88)


def _encoded(image: Image.Image, image_format: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def _draw(spec: DemoAsset) -> Image.Image:
    art = spec.artwork
    painter = {"logos": _logo_sheet, "badge": _badge, "banner": _banner}[art.style]
    return painter(art, _colour(spec))


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size)


def _logo(draw: ImageDraw.ImageDraw, origin: tuple[int, int], mark: str, text: str, wordmark: str) -> None:
    """The Acme Cloud mark (three overlapping circles) and the wordmark beside it."""
    x, y = origin
    for dx, dy, radius in ((0, 18, 26), (30, 0, 34), (64, 20, 24)):
        draw.ellipse((x + dx, y + dy, x + dx + 2 * radius, y + dy + 2 * radius), fill=mark)
    draw.text((x + 130, y + 18), wordmark, font=_font(52), fill=text)


def _logo_sheet(art: Artwork, colour: str) -> Image.Image:
    width, height = art.size
    image = Image.new("RGB", art.size, "white")
    draw = ImageDraw.Draw(image)
    third = height // 3
    _logo(draw, (60, 40), colour, "#0f172a", art.headline)
    draw.rectangle((0, third, width, 2 * third), fill=colour)
    _logo(draw, (60, third + 40), "white", "white", art.headline)
    draw.rectangle((0, 2 * third, width, height), fill="#0f172a")
    _logo(draw, (60, 2 * third + 40), "#94a3b8", "#e2e8f0", art.headline)
    draw.text((width - 330, height - 40), "Clear space: the height of the mark", font=_font(18), fill="#94a3b8")
    return image


def _badge(art: Artwork, colour: str) -> Image.Image:
    size = art.size[0]
    image = Image.new("RGBA", art.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, size - 20, size - 20), fill="#b8860b")
    draw.ellipse((60, 60, size - 60, size - 60), fill="#fbbf24", outline="white", width=8)
    centre = size // 2
    draw.text((centre, centre - 90), "ACME CLOUD", font=_font(48), fill="#1e293b", anchor="mm")
    draw.text((centre, centre + 10), art.headline, font=_font(150), fill="#1e293b", anchor="mm")
    draw.text((centre, centre + 120), art.tagline, font=_font(56), fill="#1e293b", anchor="mm")
    return image


def _banner(art: Artwork, colour: str) -> Image.Image:
    width, height = art.size
    image = Image.new("RGB", art.size, colour)
    draw = ImageDraw.Draw(image)
    for step in range(8):  # soft circles on the right, like the brand's print ads
        radius = height // 2 + step * 40
        draw.ellipse((width - radius, height - radius, width + radius, height + radius),
                     outline=(255, 255, 255), width=3)
    margin = width // 16
    headline_size = width // 22
    draw.text((margin, margin), "ACME CLOUD", font=_font(headline_size // 2), fill="white")
    draw.multiline_text((margin, margin + headline_size), _wrapped(art.headline, 28),
                        font=_font(headline_size), fill="white", spacing=12)
    button_top = height - margin - headline_size
    draw.rounded_rectangle((margin, button_top, margin + width // 2.2, button_top + headline_size),
                           radius=12, fill="white")
    draw.text((margin + 24, button_top + headline_size // 2), art.tagline,
              font=_font(headline_size // 2), fill=colour, anchor="lm")
    return image


def _wrapped(text: str, width: int) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


_RENDERERS = {
    "pdf": _pdf, "docx": _docx, "pptx": _pptx, "xlsx": _xlsx, "md": _markdown, "txt": _text,
    "png": _png, "jpg": _jpeg,
}

# --- Generated assets for benchmarks -------------------------------------------------------

INDUSTRIES = ["Healthcare", "Retail", "Manufacturing", "Financial services", "Public sector", "Education",
              "Logistics", "Energy", "Media", "Hospitality", "Legal", "Insurance", "Telecom", "Agriculture"]
CUSTOMER_PREFIXES = ["North", "Blue", "Silver", "Granite", "Harbor", "Cedar", "Summit", "Iron", "Lake",
                     "Prairie", "Coastal", "Red Oak", "Falcon", "Meadow", "Atlas", "Crescent"]
CUSTOMER_SUFFIXES = ["Logistics", "Health", "Foods", "Bank", "Energy", "Clinics", "Retail Group", "Insurance",
                     "Manufacturing", "University", "Media", "Airlines", "Utilities", "Law LLP"]
CITIES = ["Chicago", "Dublin", "Lyon", "Munich", "Toronto", "Madrid", "Rotterdam", "Austin", "Leeds",
          "Melbourne", "São Paulo", "Milan", "Denver", "Oslo"]
BENEFITS = ["cut cloud spend", "shorten recovery times", "retire the VPN", "pass the next audit",
            "move workloads without downtime", "predict next quarter's bill", "stop ransomware from spreading",
            "give developers self-service", "consolidate four consoles into one", "control egress costs"]
FEATURES = ["immutable snapshots", "zero-trust access", "managed kubernetes", "the migration planner",
            "egress forecasting", "policy as code", "anomaly detection", "passwordless sign-in",
            "rightsizing advice", "automated restore tests", "micro-segmentation", "the semantic layer",
            "OpenTelemetry tracing", "per-team budgets", "instant VM recovery", "access reviews"]
METRICS = ["infrastructure cost", "recovery time", "firewall rules", "support tickets", "onboarding time",
           "unplanned downtime", "monthly egress charges", "audit preparation time"]
COMPETITORS = ["Stratix Cloud", "Vaultline", "NetGuard One", "Quantra BI", "legacy tape", "the incumbent VPN"]
WORKLOADS = ["the ERP system", "900 virtual machines", "the customer portal", "file servers",
             "the data warehouse", "point-of-sale systems", "clinical applications", "the billing platform"]
TRIGGERS = ["a ransomware attack hit a competitor", "the data centre lease came up for renewal",
            "the auditors raised a finding", "the cloud bill doubled in a year",
            "a merger doubled the number of sites", "the board asked for a recovery test"]
HEADINGS = ["Overview", "Why it matters", "Key capabilities", "Customer story", "Objection handling",
            "Pricing and packaging", "Technical details", "Migration path", "Next steps", "Questions to ask"]
SENTENCES = [
    "{product} helps {industry} teams {benefit}.",
    "With {feature}, {customer} reduced {metric} by {percent} percent in {months} months.",
    "{customer}, a {industry} company in {city}, started migrating {workload} when {trigger}.",
    "The migration of {workload} finished {months} weeks ahead of plan.",
    "Partners usually meet {competitor} in these deals; lead with {feature} and the three-year cost.",
    "Ask the customer who can delete their backups today, and how they would know.",
    "Most {industry} buyers ask about {feature} in the first meeting.",
    "Pricing starts at {price} USD per year, and three-year terms add {discount} percent off list.",
    "The Professional edition adds {feature} and {feature2}.",
    "In the pilot, {customer} used {feature} to {benefit} within {months} weeks.",
    "\"We chose {product} because it let us {benefit},\" says the IT director of {customer}.",
    "Objection: '{competitor} is cheaper.' Answer: compare {metric} over three years, not list price.",
    "Zero-trust policies and ransomware protection now appear in most {industry} tenders.",
    "Kubernetes clusters, virtual machines and egress traffic are reported in one place.",
    "A typical deployment takes {months} weeks, including training for the operations team.",
    "Register the deal early: registration protects it for 90 days and unlocks the higher discount band.",
    "Before migrating {workload}, run the free assessment; it maps dependencies and estimates the run cost.",
    "{customer} compared {product} with {competitor} and chose us for {feature}.",
    "Customers in {city} often ask whether their data stays in the region; it does.",
    "The operations team at {customer} now spends {percent} percent less time on {metric}.",
    "Egress charges fell by {percent} percent once {customer} turned on {feature}.",
    "Presales engineers should demonstrate {feature} live; a recorded demo convinces fewer buyers.",
    "Renewals are quoted 120 days before the end date, so start the conversation about {feature2} early.",
    "A ransomware drill at {customer} restored {workload} in under {months} hours.",
]
GENERATED_TYPES = [t for t in AssetType if t is not AssetType.video]
GENERATED_LANGUAGES = ["en"] * 14 + ["de", "fr", "es", "it"]
GENERATED_AUDIENCES = [AudienceSpec()] * 12 + [
    AudienceSpec.tier_floor(Tier.silver), AudienceSpec.tier_floor(Tier.gold),
    AudienceSpec(tiers=frozenset({Tier.platinum})),
    AudienceSpec(personas=frozenset({Persona.sales})), AudienceSpec(personas=frozenset({Persona.presales})),
    AudienceSpec(personas=frozenset({Persona.marketing})),
    AudienceSpec(regions=frozenset({Region.EMEA})), AudienceSpec(regions=frozenset({Region.NA})),
    AudienceSpec(regions=frozenset({Region.APAC})), AudienceSpec(partner_types=frozenset({PartnerType.msp})),
]
GENERATED_CHUNK = 1000


def seed_generated_assets(count: int) -> int:
    """Add `count` generated text and Markdown assets by bulk insert, for benchmarks.
    The caller rebuilds the search index."""
    rng = random.Random(count)
    store = current_store()
    products = db.session.execute(sa.select(Product.id, Product.name).order_by(Product.id)).all()
    author_id = db.session.scalar(sa.select(User.id).join(Organization, User.org)
                                  .where(Organization.kind == OrgKind.vendor).order_by(User.id).limit(1))
    start = db.session.scalar(sa.select(sa.func.count(Asset.id)))
    for first in range(0, count, GENERATED_CHUNK):
        numbers = range(start + first, start + min(first + GENERATED_CHUNK, count))
        rows = [_generated_asset(rng, number, products) for number in numbers]
        _insert_generated(rows, store, author_id)
    db.session.commit()
    return count


class GeneratedAsset(NamedTuple):
    asset: dict
    audience: AudienceSpec
    filename: str
    text: str


def _generated_asset(rng: random.Random, number: int, products: list) -> GeneratedAsset:
    product_id, product = rng.choice(products) if products and rng.random() < 0.9 else (None, "Acme")
    asset_type = rng.choice(GENERATED_TYPES)
    industry = rng.choice(INDUSTRIES)
    title = f"{product} {asset_type.label} — {industry} edition {number:04d}"
    markdown = rng.random() < 0.7
    text = _generated_text(rng, title, product, industry.lower(), markdown)
    asset = {
        "title": title, "asset_type": asset_type, "product_id": product_id, "language": rng.choice(GENERATED_LANGUAGES),
        "summary": f"{asset_type.label} for {industry.lower()} customers: {rng.choice(BENEFITS)} with {product}.",
        "tags": ", ".join(rng.sample(["generated", industry.lower(), *FEATURES[:6]], 3)),
        "publish_at": clock.now() - timedelta(days=rng.uniform(0, 365)),
    }
    filename = f"generated-{number:05d}.{'md' if markdown else 'txt'}"
    return GeneratedAsset(asset, rng.choice(GENERATED_AUDIENCES), filename, text)


def _generated_text(rng: random.Random, title: str, product: str, industry: str, markdown: bool) -> str:
    """300 to about 1,500 words of template sentences, in headed sections."""
    target_words = rng.randint(300, 1400)
    parts, words = [_heading(title, markdown, level=1)], 0
    while words < target_words:
        if len(parts) == 1 or rng.random() < 0.35:
            parts.append(_heading(rng.choice(HEADINGS), markdown, level=2))
        paragraph = " ".join(_sentence(rng, product, industry) for _ in range(rng.randint(3, 7)))
        parts.append(paragraph)
        words += paragraph.count(" ") + 1
    return "\n\n".join(parts) + "\n"


def _heading(text: str, markdown: bool, level: int) -> str:
    if markdown:
        return f"{'#' * level} {text}"
    underline = "=" if level == 1 else "-"
    return f"{text}\n{underline * len(text)}"


def _sentence(rng: random.Random, product: str, industry: str) -> str:
    customer = f"{rng.choice(CUSTOMER_PREFIXES)} {rng.choice(CUSTOMER_SUFFIXES)}"
    feature, feature2 = rng.sample(FEATURES, 2)
    return rng.choice(SENTENCES).format(
        product=product, industry=industry, customer=customer, city=rng.choice(CITIES),
        benefit=rng.choice(BENEFITS), feature=feature, feature2=feature2, metric=rng.choice(METRICS),
        percent=rng.randint(12, 64), months=rng.randint(2, 14), competitor=rng.choice(COMPETITORS),
        workload=rng.choice(WORKLOADS), trigger=rng.choice(TRIGGERS), price=rng.randrange(20, 2000, 10),
        discount=rng.choice((5, 8, 10, 12)),
    )


def _insert_generated(rows: list[GeneratedAsset], store: BlobStore, author_id: int | None) -> None:
    now = clock.now()
    audience_rows = [{dimension: to_mask(getattr(row.audience, dimension)) for dimension in DIMENSIONS}
                     | {"has_orgs": False} for row in rows]
    audience_ids = _insert_returning_ids(Audience, audience_rows)
    asset_rows = [row.asset | {"audience_id": audience_id, "version": 1, "download_count": 0,
                               "created_by_id": author_id, "created_at": now, "updated_at": now}
                  for row, audience_id in zip(rows, audience_ids)]
    asset_ids = _insert_returning_ids(Asset, asset_rows)
    version_rows = []
    for row, asset_id in zip(rows, asset_ids):
        data = row.text.encode()
        kind = FileKind.markdown if row.filename.endswith(".md") else FileKind.text
        version_rows.append({
            "asset_id": asset_id, "number": 1, "filename": row.filename, "kind": kind.value, "size": len(data),
            "sha256": _write_blob(store, data), "preview_sha256": None, "text": row.text,
            "created_by_id": author_id, "created_at": now,
        })
    db.session.execute(sa.insert(AssetVersion), version_rows)


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    stmt = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(stmt, rows))
