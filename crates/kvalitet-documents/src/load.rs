//! Gathering a document's data through the store: the plans (or reports) of a year whose
//! scope lies in the subtree of the asked-for org unit, in tree order, and the settings'
//! furniture of the document (`kvalitet_store::document_settings`).

use kvalitet_domain::org::{OrgUnit, OrgUnitId, Tenant, TenantId};
use kvalitet_domain::plan::PlanState;
use kvalitet_domain::report::ReportState;
use kvalitet_store::document_settings::{self, LogoFormat};
use kvalitet_store::{Store, org, plans, repo, reports};
use sqlx::AnyConnection;

use crate::{Content, DocumentError, DocumentInput, DocumentKind, model};

/// Loads what `kind` for `year` needs, for `scope` and every unit below it; without a
/// scope, for the top of the org tree of the installation's first tenant (or of the
/// scope's own tenant when a scope is given).
pub async fn load_input(
    store: &Store,
    kind: DocumentKind,
    year: i64,
    scope: Option<OrgUnitId>,
) -> Result<DocumentInput, DocumentError> {
    let mut conn = store.read().await?;
    let tenant = match scope {
        Some(id) => repo::get::<OrgUnit>(&mut conn, id).await.map_err(|_| DocumentError::NoSuchScope)?.tenant_id,
        None => org::first_tenant(&mut conn).await?.ok_or(DocumentError::NoSuchScope)?.id,
    };
    load_input_for_tenant(&mut conn, tenant, kind, year, scope).await
}

/// As [`load_input`], within one tenant (what the web handlers and the API call with the
/// signed-in user's tenant, after checking the user may read `scope`). A scope of
/// another tenant is refused as not found.
pub async fn load_input_for_tenant(
    conn: &mut AnyConnection,
    tenant: TenantId,
    kind: DocumentKind,
    year: i64,
    scope: Option<OrgUnitId>,
) -> Result<DocumentInput, DocumentError> {
    let municipality = repo::get::<Tenant>(conn, tenant).await?.item.name;
    let units = org::units(conn, tenant).await?;
    let root = match scope {
        Some(id) => units.iter().find(|u| u.id == id).ok_or(DocumentError::NoSuchScope)?,
        None => {
            let mut tops: Vec<_> = units.iter().filter(|u| u.parent_id.is_none()).collect();
            tops.sort_by_key(|u| u.id);
            *tops.first().ok_or(DocumentError::NoSuchScope)?
        }
    };
    let tree = org::subtree(&units, root.id);
    let position = |id: OrgUnitId| tree.iter().position(|t| *t == id);
    // The rule on drafts (see `build::draft_rule`): the scope's own plan or report in any
    // state, drafts below it left out and counted.
    let (mut draft, mut drafts_left_out) = (false, 0);
    let mut keep = |scope: OrgUnitId, is_draft: bool| {
        if scope == root.id {
            draft |= is_draft;
            true
        } else if is_draft {
            drafts_left_out += 1;
            false
        } else {
            true
        }
    };
    let content = match kind {
        DocumentKind::Plan | DocumentKind::FollowUp => {
            let mut found: Vec<_> = plans::list_plans(conn, tenant)
                .await?
                .into_iter()
                .filter(|p| p.year == year && position(p.scope_id).is_some())
                // A follow-up is about plans that were followed up: below the scope, the
                // plans not yet followed up are left out (the scope's own is kept).
                .filter(|p| kind != DocumentKind::FollowUp || p.scope_id == root.id || p.state == PlanState::FollowedUp)
                .filter(|p| keep(p.scope_id, p.state == PlanState::Draft))
                .collect();
            found.sort_by_key(|p| (position(p.scope_id), p.id));
            // An action given to an account is printed with the account's name, as the
            // pages show it (the text is for people without an account).
            let names = kvalitet_store::responsible::names(conn, tenant).await?;
            let mut bundles = Vec::with_capacity(found.len());
            for p in found {
                let mut bundle = plans::load_bundle(conn, p.id).await?;
                for a in &mut bundle.actions {
                    a.item.responsible = names.responsible(a.item.responsible_account_id, &a.item.responsible);
                }
                bundles.push(bundle);
            }
            if bundles.is_empty() {
                let what = if drafts_left_out > 0 { "beslutad kvalitetsplan" } else { "kvalitetsplan" };
                return Err(DocumentError::NothingFound { what, year, scope: root.name.clone() });
            }
            Content::Plans(bundles)
        }
        DocumentKind::Report => {
            let mut found: Vec<_> = reports::list_reports(conn, tenant)
                .await?
                .into_iter()
                .filter(|r| r.year == year && position(r.scope_id).is_some())
                .filter(|r| keep(r.scope_id, r.state == ReportState::Draft))
                .collect();
            found.sort_by_key(|r| (position(r.scope_id), r.id));
            let mut bundles = Vec::with_capacity(found.len());
            for r in found {
                bundles.push(reports::load_report(conn, r.id).await?);
            }
            if bundles.is_empty() {
                return Err(DocumentError::NothingFound {
                    what: if drafts_left_out > 0 {
                        "överlämnad kvalitetsberättelse"
                    } else {
                        "kvalitetsberättelse"
                    },
                    year,
                    scope: root.name.clone(),
                });
            }
            Content::Reports(bundles)
        }
    };
    let furniture = furniture(conn, tenant, kind, year, root.id, &content).await?;
    let kolada = match kind {
        DocumentKind::Plan => Vec::new(),
        DocumentKind::FollowUp | DocumentKind::Report => {
            let plan_ids: Vec<_> = match &content {
                Content::Plans(bundles) => bundles.iter().map(|b| b.plan.id).collect(),
                // The report compares the indicators of the year's plans it covers (drafts
                // below the scope left out, as everywhere).
                Content::Reports(_) => plans::list_plans(conn, tenant)
                    .await?
                    .into_iter()
                    .filter(|p| p.year == year && position(p.scope_id).is_some())
                    .filter(|p| p.scope_id == root.id || p.state != PlanState::Draft)
                    .map(|p| p.id)
                    .collect(),
            };
            crate::kolada::comparisons(conn, tenant, &plan_ids).await?
        }
    };
    Ok(DocumentInput {
        municipality,
        year,
        scope_name: root.name.clone(),
        content,
        draft,
        drafts_left_out,
        furniture,
        kolada,
    })
}

/// The document's furniture as the settings hold it: the logo and the board's name of
/// the nearest unit at or above the scope, and the document's own reference, meeting
/// date and status. A plan without its own reference or meeting date has the scope's
/// plan's adoption (its board reference and date), when the plan has them; nothing is
/// invented. The footer's title is the builders'.
async fn furniture(
    conn: &mut AnyConnection,
    tenant: TenantId,
    kind: DocumentKind,
    year: i64,
    scope: OrgUnitId,
    content: &Content,
) -> Result<model::Furniture, DocumentError> {
    let set = document_settings::effective(conn, tenant, scope, kind.code(), year).await?;
    let details =
        set.details.unwrap_or_else(|| document_settings::DocumentDetails::empty(tenant, kind.code(), year, scope));
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let mut reference = non_empty(&details.reference);
    let mut meeting_on = details.meeting_on;
    if let (DocumentKind::Plan, Content::Plans(bundles)) = (kind, content)
        && let Some(own) = bundles.iter().find(|b| b.plan.scope_id == scope)
    {
        reference = reference.or_else(|| own.plan.board_reference.as_deref().and_then(non_empty));
        meeting_on = meeting_on.or(own.plan.adopted_on);
    }
    Ok(model::Furniture {
        logo: set.logo.map(|(logo, _)| model::Logo {
            format: match logo.format {
                LogoFormat::Svg => model::LogoFormat::Svg,
                LogoFormat::Png => model::LogoFormat::Png,
            },
            bytes: logo.bytes,
            alt: logo.alt,
        }),
        board: set.board.map(|(board, _)| board),
        reference,
        meeting_on: meeting_on.map(|d| d.to_string()),
        status: non_empty(&details.status),
        footer_title: String::new(),
    })
}
