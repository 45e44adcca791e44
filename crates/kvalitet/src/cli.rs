//! The command line: subcommands and their flags, each flag also settable from the
//! environment.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "kvalitet", version, about = "Ledningssystem för systematiskt kvalitetsarbete i socialtjänsten")]
pub struct Cli {
    /// Databasens adress: sqlite://FIL eller postgres://… (standard: kvalitet.db i aktuell katalog)
    #[arg(long, global = true, env = "KVALITET_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Kommunen (namn eller kortnamn) som kommandot gäller, när installationen har flera
    #[arg(long, global = true, env = "KVALITET_TENANT")]
    pub tenant: Option<String>,

    /// Granskningsloggens nyckel (skapas första gången; säkerhetskopiera den skild från databasen)
    #[arg(long, global = true, env = "KVALITET_AUDIT_KEY_FILE", default_value = "kvalitet.audit-key")]
    pub audit_key_file: std::path::PathBuf,

    /// Loggens format: text eller json (standard: text i en terminal, annars json)
    #[arg(long, global = true, env = "KVALITET_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,

    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
#[expect(clippy::large_enum_variant, reason = "parsed once at start; serve's flags are many")]
pub enum Command {
    /// Startar webbservern (läser in demodata i en tom databas)
    Serve {
        /// Adress och port att lyssna på
        #[arg(long, env = "KVALITET_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Läs inte in demodata i en tom databas
        #[arg(long, env = "KVALITET_NO_DEMO")]
        no_demo: bool,
        /// Installationens adress som användarna når den på, till exempel https://kvalitet.kommun.se (avgör länkar och om kakor kräver HTTPS)
        #[arg(long, env = "KVALITET_PUBLIC_URL")]
        public_url: Option<String>,
        /// En omvänd proxy (IP-adress eller nät i CIDR-form) vars X-Forwarded-For/Forwarded anger klientens adress; kan anges flera gånger
        #[arg(long = "trusted-proxy", env = "KVALITET_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<String>,
        /// Filen som granskningsloggens förankringar läggs till i
        #[arg(long, env = "KVALITET_AUDIT_ANCHORS", default_value = "kvalitet.anchors")]
        audit_anchors: std::path::PathBuf,
        /// Hur ofta granskningsloggen förankras, till exempel 1h eller 15m (0 stänger av)
        #[arg(long, env = "KVALITET_AUDIT_ANCHOR_INTERVAL", default_value = "1h", value_parser = duration)]
        audit_anchor_interval: Duration,
        #[command(flatten)]
        limits: crate::serve::Limits,
        #[command(flatten)]
        sso: SsoArgs,
        #[command(flatten)]
        mail: crate::mail::MailArgs,
        #[command(flatten)]
        case_data: CaseDataArgs,
        /// Låt servern räkna som om i dag vore detta datum (ÅÅÅÅ-MM-DD), och dagarna därefter; för test och visning av tidsgränser, aldrig i drift
        #[arg(long, env = "KVALITET_TODAY", hide = true)]
        today: Option<jiff::civil::Date>,
    },
    /// Lägger upp kommunen i en tom databas: organisationen ur en fil och den första administratören
    Setup(SetupArgs),
    /// Kommuner i installationen (flera kommuner kan dela en installation)
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Uppdaterar databasens schema
    Migrate,
    /// Demodata: den exempelkommun som källdokumenten beskriver
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Konton
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Granskningsloggen
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Skapar Kvalitetsplan, Uppföljning av kvalitetsplan eller Kvalitetsberättelse som DOCX, PDF eller HTML
    Document {
        /// Vilket dokument
        #[arg(value_enum)]
        kind: DocumentArg,
        /// Året dokumentet gäller
        #[arg(long)]
        year: i64,
        /// Filformat
        #[arg(long, value_enum)]
        format: FormatArg,
        /// Filen att skriva
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
        /// Den del av organisationen dokumentet gäller: enhetens namn eller nummer (standard: högsta nivån); planerna för alla enheter under den tas med
        #[arg(long)]
        scope: Option<String>,
    },
    /// Kvalitetsplaner som arbetsbok (XLSX)
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Gör en säkerhetskopia av databasen (fungerar medan servern kör)
    Backup {
        /// Filen att skriva; får inte finnas
        file: std::path::PathBuf,
    },
    /// Återställer en säkerhetskopia till en ny, tom databas (--database-url)
    Restore {
        /// Säkerhetskopian
        file: std::path::PathBuf,
    },
    /// Mått ur verksamhetssystemets export (handläggningstider, verkställighet, beläggning)
    Measures {
        #[command(subcommand)]
        command: MeasuresCommand,
    },
    /// API-nycklar: andra system läser och skriver i Kvalitet genom JSON-API:t med en nyckel
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Jämförelsedata ur Kolada (RKA, CC BY 4.0): kommunen, riket och liknande kommuner
    Kolada {
        #[command(subcommand)]
        command: KoladaCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Skapar en API-nyckel med en roll över en del av organisationen; nyckeln visas en gång
    Create {
        /// Vad nyckeln används till, till exempel systemets namn
        #[arg(long)]
        name: String,
        /// Roll: administrator, quality_developer, manager, staff eller reader (eller på svenska)
        #[arg(long)]
        role: String,
        /// Den del av organisationen nyckeln gäller: enhetens namn eller nummer
        #[arg(long)]
        scope: String,
        /// Sista dagen nyckeln fungerar (ÅÅÅÅ-MM-DD); utan den gäller den tills den återkallas
        #[arg(long)]
        expires: Option<jiff::civil::Date>,
    },
    /// Visar kommunens API-nycklar (aldrig själva nyckeln)
    List,
    /// Återkallar en API-nyckel: den slutar fungera direkt
    Revoke {
        /// Nyckelns nummer (ur token list)
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum KoladaCommand {
    /// Hämtar nyckeltalens värden från Koladas API för kommunen (dess kod i Kolada), riket (0000) och jämförelsegruppen
    Fetch {
        /// Nyckeltal, kommaseparerade, till exempel U21468,N00945
        #[arg(long)]
        kpi: String,
        /// År, kommaseparerade, till exempel 2022,2023
        #[arg(long)]
        years: String,
        /// Koladas API
        #[arg(long, env = "KVALITET_KOLADA_URL", default_value = kvalitet_kolada::DEFAULT_BASE_URL)]
        base_url: String,
        /// Kommungrupp i Kolada att jämföra med (standard: gruppen i kommunens inställningar), till exempel G124025
        #[arg(long)]
        group: Option<String>,
    },
    /// Listar Koladas kommungrupper (till exempel liknande kommuner) med id, namn och antal kommuner, för att välja jämförelsegrupp
    Groups {
        /// Del av gruppens namn, till exempel "liknande kommuner IFO"
        #[arg(long)]
        title: Option<String>,
        /// Koladas API
        #[arg(long, env = "KVALITET_KOLADA_URL", default_value = kvalitet_kolada::DEFAULT_BASE_URL)]
        base_url: String,
    },
    /// Läser in ett sparat svar från Koladas API (JSON), för installationer utan internet
    Import {
        /// Filen med svaret
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Skriver en kvalitetsplan som arbetsbok: risker, egenkontroller, åtgärder och indikatorer på var sitt blad, kopplade med sina nummer
    Export {
        /// Planens år
        #[arg(long)]
        year: i64,
        /// Enheten planen gäller: namn eller nummer (standard: högsta nivån)
        #[arg(long)]
        scope: Option<String>,
        /// Filen att skriva (.xlsx)
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
    /// Läser in en arbetsbok (som `plan export` skriver den) i ett utkast till kvalitetsplan: visar vad som ändras och sparar allt eller inget
    Import {
        /// Planens år
        #[arg(long)]
        year: i64,
        /// Enheten planen gäller: namn eller nummer (standard: högsta nivån)
        #[arg(long)]
        scope: Option<String>,
        /// Visa bara vad som skulle ändras; spara inget
        #[arg(long)]
        dry_run: bool,
        /// Arbetsboken (.xlsx)
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeasuresCommand {
    // No doc comment here: the measures crate's own help (with the file format) is used.
    Compute(kvalitet_measures::ComputeArgs),
    /// Läser in exporten i databasen (pseudonymiserad), beräknar måtten per enhet och månad och för in dem i kopplade egenkontroller och indikatorer
    Import(ImportArgs),
    /// Kopplar ett mått till en egenkontroll eller en indikator
    Link {
        /// Måttets id, till exempel forhandsbedomning_14d
        measure: String,
        /// Egenkontrollens nummer
        #[arg(long, conflicts_with = "indicator", required_unless_present = "indicator")]
        self_inspection: Option<i64>,
        /// Indikatorns nummer
        #[arg(long)]
        indicator: Option<i64>,
        /// För egenkontroller: andel i procent som krävs för godkänt
        #[arg(long, requires = "self_inspection")]
        approve_at: Option<f64>,
    },
}

/// The files of an import (the format is documented in `kvalitet measures compute --help`).
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Ärenden (CSV eller kalkylark)
    #[arg(long)]
    pub arenden: Option<std::path::PathBuf>,
    /// Insatser (CSV eller kalkylark)
    #[arg(long)]
    pub insatser: Option<std::path::PathBuf>,
    /// Kontakter (CSV eller kalkylark)
    #[arg(long)]
    pub kontakter: Option<std::path::PathBuf>,
    /// En arbetsbok med flikarna arenden, insatser och kontakter
    #[arg(long, conflicts_with_all = ["arenden", "insatser", "kontakter"])]
    pub xlsx: Option<std::path::PathBuf>,
    /// Periodens första dag (ÅÅÅÅ-MM-DD)
    #[arg(long)]
    pub from: jiff::civil::Date,
    /// Periodens sista dag (ÅÅÅÅ-MM-DD)
    #[arg(long)]
    pub to: jiff::civil::Date,
    /// Egna måttdefinitioner (TOML) som ersätter eller kompletterar standardmåtten
    #[arg(long)]
    pub measures: Option<std::path::PathBuf>,
    /// Installationens hemliga nyckel för pseudonymisering; skapas vid första inläsningen
    #[arg(long, env = "KVALITET_SECRET_FILE", default_value = "kvalitet.secret")]
    pub secret_file: std::path::PathBuf,
}

/// Single sign-on through the municipality's OpenID Connect provider.
#[derive(Debug, Default, clap::Args)]
pub struct SsoArgs {
    /// Kommunens OpenID Connect-leverantör (issuer), till exempel https://login.microsoftonline.com/KATALOG-ID/v2.0; kräver --public-url
    #[arg(long, env = "KVALITET_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// Kvalitets klient-id hos leverantören
    #[arg(long, env = "KVALITET_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Fil med klienthemligheten (en rad)
    #[arg(long, env = "KVALITET_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<std::path::PathBuf>,
    /// Fil med klientens privata RSA-nyckel i PEM-format, i stället för klienthemlighet (private_key_jwt, som Entra ID med certifikat)
    #[arg(long, env = "KVALITET_OIDC_PRIVATE_KEY_FILE")]
    pub oidc_private_key_file: Option<std::path::PathBuf>,
    /// Nyckelns id (kid) hos leverantören, om den kräver det
    #[arg(long, env = "KVALITET_OIDC_PRIVATE_KEY_ID")]
    pub oidc_private_key_id: Option<String>,
    /// Certifikatets SHA-1-tumavtryck i base64url (x5t), som Entra ID kräver med certifikat
    #[arg(long, env = "KVALITET_OIDC_CERTIFICATE_THUMBPRINT")]
    pub oidc_certificate_thumbprint: Option<String>,
    /// Fil med en leverantör per kommun (TOML, ett [[provider]]-block per kommun) i stället för --oidc-issuer och de andra --oidc-flaggorna
    #[arg(long, env = "KVALITET_OIDC_CONFIG")]
    pub oidc_config: Option<std::path::PathBuf>,
    /// Anspråket (claim) som jämförs med kontonas e-postadresser: email, preferred_username eller upn
    #[arg(long, env = "KVALITET_OIDC_CLAIM", default_value = "email")]
    pub oidc_claim: String,
    /// Anspråket med personens grupper
    #[arg(long, env = "KVALITET_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,
    /// Fil som ger roller efter grupper, en rad per grupp och roll: grupp = roll@enhet; med den sätts kontots roller vid varje inloggning
    #[arg(long, env = "KVALITET_OIDC_GROUP_MAP")]
    pub oidc_group_map: Option<std::path::PathBuf>,
    /// Skapa konto vid första inloggningen för den som får minst en roll genom gruppfilen
    #[arg(long, env = "KVALITET_OIDC_CREATE_ACCOUNTS")]
    pub oidc_create_accounts: bool,
    /// on eller off: med off loggar bara reservkontona (--break-glass) in med lösenord
    #[arg(long, env = "KVALITET_PASSWORD_LOGIN", default_value = "on", value_parser = ["on", "off"])]
    pub password_login: String,
    /// Reservkonto (e-postadress) som får logga in med lösenord när lösenord är avstängda; kan anges flera gånger
    #[arg(long = "break-glass", env = "KVALITET_BREAK_GLASS", value_delimiter = ',')]
    pub break_glass: Vec<String>,
}

/// A new municipality: its name, its org tree and its first administrator.
#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    /// Kommunens namn, till exempel "Exempelby kommun"
    #[arg(long)]
    pub name: String,
    /// Organisationen: CSV eller arbetsbok med kolumnerna id;parent;kind;name;capacity (eller enhet;overordnad;typ;namn;platser), en rad per enhet
    #[arg(long)]
    pub org: std::path::PathBuf,
    /// Den första administratörens e-postadress
    #[arg(long)]
    pub admin: String,
    /// Administratörens namn (standard: e-postadressen)
    #[arg(long)]
    pub admin_name: Option<String>,
    /// Läs administratörens lösenord från standard in (första raden)
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Lägger till ytterligare en kommun (samma uppgifter som setup)
    Add(SetupArgs),
    /// Visar kommunerna
    List,
}

/// A role over a part of the org tree.
#[derive(Debug, clap::Args)]
pub struct RoleArgs {
    /// Kontots e-postadress
    pub email: String,
    /// Roll: administrator, quality_developer, manager, staff eller reader (eller på svenska)
    #[arg(long)]
    pub role: String,
    /// Den del av organisationen rollen gäller: enhetens namn eller nummer (standard: högsta nivån)
    #[arg(long)]
    pub scope: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Visar kontona med roller, om de är aktiva och om de är spärrade
    List {
        /// Utdata: table, json eller csv
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Skapar ett konto med en roll, eller ger ett befintligt konto en roll till; ett nytt konto får ett engångslösenord som visas en gång (eller --password-stdin) och byter det vid första inloggningen
    Add {
        #[command(flatten)]
        role: RoleArgs,
        /// Namnet som visas (standard: e-postadressen)
        #[arg(long)]
        name: Option<String>,
        /// Läs ett första lösenord från standard in (första raden) i stället för att skapa ett engångslösenord
        #[arg(long)]
        password_stdin: bool,
    },
    /// Roller
    Role {
        #[command(subcommand)]
        command: RoleCommand,
    },
    /// Inaktiverar ett konto; dess inloggningar avslutas direkt
    Deactivate { email: String },
    /// Aktiverar ett inaktiverat konto
    Activate { email: String },
    /// Häver spärren efter misslyckade inloggningar
    Unlock { email: String },
    /// Ger kontot ett engångslösenord (visas en gång, gäller 72 timmar, byts vid första inloggningen)
    ResetPassword { email: String },
    /// Avslutar kontots alla inloggningar
    EndSessions { email: String },
    /// Läser in konton ur en fil (CSV eller arbetsbok: email;name;role;scope, en rad per roll); filens roller blir kontots roller, och samma fil två gånger ändrar inget
    Import {
        /// Filen
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Ger kontot en roll
    Add(RoleArgs),
    /// Tar bort en roll från kontot
    Remove(RoleArgs),
}

/// How `user list` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Kontrollerar att ingen post i granskningsloggen har ändrats eller tagits bort
    Verify {
        /// Förankringar att jämföra med (filen som `audit anchor` och `serve` skriver)
        #[arg(long)]
        anchors: Option<std::path::PathBuf>,
    },
    /// Skriver loggens nuvarande slut (nummer, kontrollsumma, tid) i förankringsfilen och i loggen
    Anchor {
        /// Filen som förankringen läggs till i
        #[arg(long, env = "KVALITET_AUDIT_ANCHORS", default_value = "kvalitet.anchors")]
        anchors: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Läser in demodata i en tom databas
    Load,
    /// Tar bort demokommunen och dess konton (vägras om den innehåller något som inte kommer från demofilerna)
    Remove,
}

/// The board documents.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DocumentArg {
    /// Kvalitetsplan
    Plan,
    /// Uppföljning av kvalitetsplan
    Followup,
    /// Kvalitetsberättelse
    Report,
}

impl DocumentArg {
    pub fn kind(self) -> kvalitet_documents::DocumentKind {
        match self {
            DocumentArg::Plan => kvalitet_documents::DocumentKind::Plan,
            DocumentArg::Followup => kvalitet_documents::DocumentKind::FollowUp,
            DocumentArg::Report => kvalitet_documents::DocumentKind::Report,
        }
    }
}

/// The documents' formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Docx,
    Pdf,
    Html,
}

impl FormatArg {
    pub fn format(self) -> kvalitet_documents::Format {
        match self {
            FormatArg::Docx => kvalitet_documents::Format::Docx,
            FormatArg::Pdf => kvalitet_documents::Format::Pdf,
            FormatArg::Html => kvalitet_documents::Format::Html,
        }
    }
}

/// A duration as `20s`, `15m`, `1h`, `1h 30m` or ISO 8601 (`PT1H`); `0` is none.
pub fn duration(text: &str) -> Result<Duration, String> {
    if text.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    let d: jiff::SignedDuration =
        text.parse().map_err(|_| format!("\"{text}\" är ingen tidslängd; skriv till exempel 20s, 15m eller 1h"))?;
    Duration::try_from(d).map_err(|_| format!("\"{text}\" är negativ"))
}

/// Case data read in from the browser (`kvalitet serve`).
#[derive(Debug, clap::Args)]
pub struct CaseDataArgs {
    /// Installationens hemliga nyckel för pseudonymisering, samma fil som kvalitet measures import läser; skapas om den saknas
    #[arg(long, env = "KVALITET_SECRET_FILE", default_value = "kvalitet.secret")]
    pub secret_file: std::path::PathBuf,
    /// Största tillåtna uppladdning av en export från verksamhetssystemet, i byte (standard 1 GiB)
    #[arg(long, env = "KVALITET_MAX_UPLOAD_BYTES", default_value_t = kvalitet_web::DEFAULT_MAX_UPLOAD_BYTES)]
    pub max_upload_bytes: u64,
    /// Katalogen där uppladdade filer ligger medan de läses in (standard: systemets katalog för tillfälliga filer)
    #[arg(long, env = "KVALITET_UPLOAD_DIR")]
    pub upload_dir: Option<std::path::PathBuf>,
}
