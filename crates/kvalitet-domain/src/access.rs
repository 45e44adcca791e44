//! People and access: accounts, roles scoped to the org tree, the one authorization rule
//! every request goes through, and the access-log review rotation (loggkontroll).

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::id::Id;
use crate::org::{OrgUnitId, TenantId};
use crate::validate::{Problem, Validate, ValidationErrors, limits};

coded_enum! {
    /// A role; each assignment of one names the part of the org tree it covers.
    pub enum Role {
        Administrator = "administrator",
        QualityDeveloper = "quality_developer",
        Manager = "manager",
        Staff = "staff",
        Reader = "reader",
    }
}

/// A person who can sign in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub tenant_id: TenantId,
    pub email: String,
    pub display_name: String,
    /// The Argon2id hash in PHC form; never the password.
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub active: bool,
    /// Signed in with a one-time password: a password of one's own must be chosen first.
    pub must_change_password: bool,
    /// Unix seconds after which a one-time password no longer signs in.
    pub password_expires_at: Option<i64>,
}
pub type AccountId = Id<Account>;

impl Account {
    /// An active account without a password yet (one is set by hashing one in, or the
    /// person signs in through the municipality's identity provider).
    pub fn new(tenant_id: TenantId, email: &str, display_name: &str) -> Account {
        Account {
            tenant_id,
            email: email.trim().to_lowercase(),
            display_name: display_name.trim().to_owned(),
            password_hash: String::new(),
            active: true,
            must_change_password: false,
            password_expires_at: None,
        }
    }
}

impl Validate for Account {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("email", &self.email, limits::SHORT);
        let at = self.email.find('@');
        if at.is_none_or(|i| i == 0 || i == self.email.len() - 1) || self.email.contains(char::is_whitespace) {
            e.push("email", Problem::Invalid("ange en e-postadress, till exempel namn@kommun.se".into()));
        }
        e.text("display_name", &self.display_name, limits::SHORT);
        e.into_result()
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Checks a new password: long enough, not blank, not the e-mail address.
pub fn check_password(password: &str, email: &str) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        e.push("password", Problem::Invalid(format!("lösenordet ska ha minst {MIN_PASSWORD_CHARS} tecken")));
    } else if password.trim().is_empty() || password.eq_ignore_ascii_case(email) {
        e.push("password", Problem::Invalid("välj ett lösenord som inte går att gissa".into()));
    }
    e.into_result()
}

/// A role over a part of the org tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub account_id: AccountId,
    pub role: Role,
    /// The unit, section or administration the role covers (with everything below it).
    pub scope_id: OrgUnitId,
}
pub type RoleAssignmentId = Id<RoleAssignment>;

impl Validate for RoleAssignment {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read a plan or report (adopted ones, for readers).
    ViewPlan,
    /// Read a plan or report that is still a draft.
    ViewDraft,
    /// Change a plan's content; adopt; roll over.
    EditPlan,
    /// Record self-inspection runs, action follow-ups and indicator results.
    RecordFollowUp,
    /// Register a deviation, lex Sarah report or complaint.
    RegisterDeviation,
    /// Read deviations (sensitive: every read is logged).
    ViewDeviations,
    /// Investigate, assess and close deviations.
    HandleDeviation,
    /// Read the case ids behind a measure from imported case data (sensitive: logged).
    ViewCaseData,
    /// Read and search the audit log; run the access-log review.
    ViewAuditLog,
    /// Create accounts and assign roles.
    ManageAccounts,
    /// Change the org tree, the target groups, the process areas and the quality factors'
    /// texts. Asked of the top of the tree: the organisation is the whole tenant's.
    ManageOrganisation,
    /// Import the case-management system's export and tie measures to self-inspections
    /// and indicators. Asked of the top of the tree: an export holds every unit's cases.
    ImportCaseData,
}

/// The org tree as the authorization rule needs it: each unit's parent.
pub trait Tree {
    fn parent(&self, unit: OrgUnitId) -> Option<OrgUnitId>;

    /// Whether `unit` is `ancestor` or lies below it.
    fn is_within(&self, unit: OrgUnitId, ancestor: OrgUnitId) -> bool {
        let mut next = Some(unit);
        let mut steps = 0;
        while let Some(u) = next {
            if u == ancestor {
                return true;
            }
            next = self.parent(u);
            steps += 1;
            if steps > 64 {
                return false;
            }
        }
        false
    }

    /// `units` and every unit above them: the units within which any of `units` lies.
    fn with_ancestors(&self, units: impl IntoIterator<Item = OrgUnitId>) -> std::collections::HashSet<OrgUnitId>
    where
        Self: Sized,
    {
        let mut all = std::collections::HashSet::new();
        for unit in units {
            let mut next = Some(unit);
            // A unit met before had its ancestors added then (and a cycle ends here).
            while let Some(u) = next.filter(|u| all.insert(*u)) {
                next = self.parent(u);
            }
        }
        all
    }
}

impl Role {
    /// What the role allows, and whether it also reaches the units above its scope (so a
    /// unit's staff can read the section's and the administration's plans that cover
    /// their unit).
    fn grants(self, p: Permission) -> Option<Reach> {
        use Permission::*;
        use Role::*;
        let reach = match (self, p) {
            (Administrator, ViewPlan | ViewDraft) => Reach::DownAndUp,
            (Administrator, _) => Reach::Down,
            (QualityDeveloper, ViewPlan | ViewDraft) => Reach::DownAndUp,
            (QualityDeveloper, ImportCaseData) => Reach::Down,
            (
                QualityDeveloper,
                EditPlan | RecordFollowUp | RegisterDeviation | ViewDeviations | HandleDeviation | ViewCaseData,
            ) => Reach::Down,
            (Manager, ViewPlan | ViewDraft) => Reach::DownAndUp,
            // A manager follows up the items of the plans that cover their unit.
            (Manager, RecordFollowUp) => Reach::DownAndUp,
            (Manager, RegisterDeviation | ViewDeviations | HandleDeviation | ViewCaseData) => Reach::Down,
            (Staff, ViewPlan | ViewDraft) => Reach::DownAndUp,
            (Staff, RegisterDeviation) => Reach::Down,
            (Reader, ViewPlan) => Reach::DownAndUp,
            _ => return None,
        };
        Some(reach)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The scope and everything below it.
    Down,
    /// That, and the units above the scope.
    DownAndUp,
}

/// The one authorization rule: may someone with these assignments do `permission` on
/// something that belongs to `unit`?
pub fn allows(assignments: &[RoleAssignment], tree: &impl Tree, permission: Permission, unit: OrgUnitId) -> bool {
    assignments.iter().any(|a| match a.role.grants(permission) {
        Some(Reach::Down) => tree.is_within(unit, a.scope_id),
        Some(Reach::DownAndUp) => tree.is_within(unit, a.scope_id) || tree.is_within(a.scope_id, unit),
        None => false,
    })
}

impl Role {
    /// How high the role stands: a role is granted only by someone whose own role stands
    /// at least as high.
    pub fn rank(self) -> u8 {
        match self {
            Role::Administrator => 5,
            Role::QualityDeveloper => 4,
            Role::Manager => 3,
            Role::Staff => 2,
            Role::Reader => 1,
        }
    }
}

/// Whether someone may grant (or take away) `role` over `scope`: they manage accounts
/// over a part of the tree that holds `scope`, with a role at least as high.
pub fn may_grant(assignments: &[RoleAssignment], tree: &impl Tree, role: Role, scope: OrgUnitId) -> bool {
    assignments.iter().any(|a| {
        a.role.rank() >= role.rank()
            && a.role.grants(Permission::ManageAccounts).is_some()
            && tree.is_within(scope, a.scope_id)
    })
}

/// Whether someone may manage an account as a whole (deactivate it, reset its password,
/// end its sessions): they could grant every role it has. An account without roles
/// belongs to those who manage accounts over the whole tree (`top`).
pub fn may_manage_account(
    assignments: &[RoleAssignment],
    tree: &impl Tree,
    account_roles: &[RoleAssignment],
    top: OrgUnitId,
) -> bool {
    if account_roles.is_empty() {
        return allows(assignments, tree, Permission::ManageAccounts, top);
    }
    account_roles.iter().all(|r| may_grant(assignments, tree, r.role, r.scope_id))
}

/// Whether someone sees an account in their list: one of its roles lies in a part of the
/// tree where they manage accounts (an account without roles: as [`may_manage_account`]).
pub fn may_see_account(
    assignments: &[RoleAssignment],
    tree: &impl Tree,
    account_roles: &[RoleAssignment],
    top: OrgUnitId,
) -> bool {
    if account_roles.is_empty() {
        return allows(assignments, tree, Permission::ManageAccounts, top);
    }
    account_roles.iter().any(|r| allows(assignments, tree, Permission::ManageAccounts, r.scope_id))
}

/// Whether someone may do `permission` anywhere at all (for menus and tenant-wide pages).
pub fn allows_somewhere(assignments: &[RoleAssignment], permission: Permission) -> bool {
    assignments.iter().any(|a| a.role.grants(permission).is_some())
}

/// The access-log review rotation: of the accounts not yet reviewed this year, how many
/// to draw in a month so that everyone is reviewed by the end of December. Accounts are
/// taken in a stable order that differs from year to year.
pub fn draw_for_month<T: Copy + Ord>(unreviewed: &[T], month: i8, order_key: impl Fn(T) -> u64) -> Vec<T> {
    let months_left = (13 - month.clamp(1, 12)) as usize;
    let n = unreviewed.len().div_ceil(months_left);
    let mut v: Vec<T> = unreviewed.to_vec();
    v.sort_by_key(|&x| (order_key(x), x));
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct T(HashMap<i64, i64>);
    impl Tree for T {
        fn parent(&self, unit: OrgUnitId) -> Option<OrgUnitId> {
            self.0.get(&unit.get()).map(|p| Id::new(*p))
        }
    }

    /// 1 = administration; 2, 3 = sections; 4 under 2, 5 under 3.
    fn tree() -> T {
        T(HashMap::from([(2, 1), (3, 1), (4, 2), (5, 3)]))
    }

    fn one(role: Role, scope: i64) -> Vec<RoleAssignment> {
        vec![RoleAssignment { account_id: Id::new(1), role, scope_id: Id::new(scope) }]
    }

    #[test]
    fn with_ancestors_is_every_unit_within_which_one_of_them_lies() {
        let t = tree();
        let ids = |v: &[i64]| v.iter().map(|i| Id::new(*i)).collect::<std::collections::HashSet<OrgUnitId>>();
        assert_eq!(t.with_ancestors([Id::new(4)]), ids(&[4, 2, 1]));
        assert_eq!(t.with_ancestors([Id::new(4), Id::new(5), Id::new(2)]), ids(&[4, 2, 5, 3, 1]));
        assert_eq!(t.with_ancestors([]), ids(&[]));
        for unit in 1..=5 {
            for within in 1..=5 {
                let held = t.with_ancestors([Id::new(unit)]).contains(&Id::new(within));
                assert_eq!(held, t.is_within(Id::new(unit), Id::new(within)), "{unit} within {within}");
            }
        }
    }

    #[test]
    fn scopes_reach_down_and_reading_reaches_up() {
        let t = tree();
        let u = Id::new;
        let manager = one(Role::Manager, 4);
        assert!(allows(&manager, &t, Permission::RecordFollowUp, u(4)));
        assert!(!allows(&manager, &t, Permission::RecordFollowUp, u(5)));
        assert!(allows(&manager, &t, Permission::RecordFollowUp, u(2)), "items of the plan covering the unit");
        assert!(!allows(&manager, &t, Permission::HandleDeviation, u(2)), "not the section's deviations");
        assert!(allows(&manager, &t, Permission::ViewPlan, u(1)), "reads the plan that covers the unit");
        assert!(!allows(&manager, &t, Permission::ViewPlan, u(5)), "not another section's plan");
        assert!(!allows(&manager, &t, Permission::EditPlan, u(4)));

        let qd = one(Role::QualityDeveloper, 2);
        assert!(allows(&qd, &t, Permission::EditPlan, u(2)));
        assert!(allows(&qd, &t, Permission::EditPlan, u(4)));
        assert!(!allows(&qd, &t, Permission::EditPlan, u(1)));
        assert!(!allows(&qd, &t, Permission::ViewAuditLog, u(2)));

        let staff = one(Role::Staff, 5);
        assert!(allows(&staff, &t, Permission::RegisterDeviation, u(5)));
        assert!(!allows(&staff, &t, Permission::RegisterDeviation, u(4)));
        assert!(!allows(&staff, &t, Permission::ViewDeviations, u(5)));

        let reader = one(Role::Reader, 1);
        assert!(allows(&reader, &t, Permission::ViewPlan, u(4)));
        assert!(!allows(&reader, &t, Permission::ViewDraft, u(4)));

        let admin = one(Role::Administrator, 1);
        assert!(allows(&admin, &t, Permission::ViewAuditLog, u(5)));
        assert!(allows_somewhere(&admin, Permission::ManageAccounts));
        assert!(!allows_somewhere(&reader, Permission::ManageAccounts));
        assert!(allows(&admin, &t, Permission::ManageOrganisation, u(1)));
        let section_admin = one(Role::Administrator, 2);
        assert!(!allows(&section_admin, &t, Permission::ManageOrganisation, u(1)), "not the whole organisation");
        assert!(!allows(&qd, &t, Permission::ManageOrganisation, u(2)));
        assert!(allows(&admin, &t, Permission::ImportCaseData, u(1)), "the whole tree's administrator imports");
        assert!(allows(&qd, &t, Permission::ImportCaseData, u(2)), "within the quality developer's scope");
        assert!(!allows(&qd, &t, Permission::ImportCaseData, u(1)), "not above it");
        assert!(!allows(&manager, &t, Permission::ImportCaseData, u(4)), "managers see case data, never import it");
        assert!(!allows(&reader, &t, Permission::ImportCaseData, u(1)));
    }

    #[test]
    fn accounts_are_managed_within_ones_own_part_of_the_tree() {
        let t = tree();
        let u = Id::new;
        let section_admin = one(Role::Administrator, 2);
        assert!(may_grant(&section_admin, &t, Role::Manager, u(4)));
        assert!(may_grant(&section_admin, &t, Role::Administrator, u(2)));
        assert!(!may_grant(&section_admin, &t, Role::Staff, u(5)), "outside the section");
        assert!(!may_grant(&section_admin, &t, Role::Reader, u(1)), "above the section");
        let qd = one(Role::QualityDeveloper, 1);
        assert!(!may_grant(&qd, &t, Role::Staff, u(4)), "only those who manage accounts grant roles");

        let roles = |v: &[(Role, i64)]| -> Vec<RoleAssignment> {
            v.iter().map(|(r, s)| RoleAssignment { account_id: Id::new(9), role: *r, scope_id: Id::new(*s) }).collect()
        };
        let in_section = roles(&[(Role::Staff, 4)]);
        let straddling = roles(&[(Role::Staff, 4), (Role::Reader, 1)]);
        assert!(may_manage_account(&section_admin, &t, &in_section, u(1)));
        assert!(!may_manage_account(&section_admin, &t, &straddling, u(1)), "a role above the section");
        assert!(may_see_account(&section_admin, &t, &straddling, u(1)));
        assert!(!may_see_account(&section_admin, &t, &roles(&[(Role::Staff, 5)]), u(1)));
        assert!(!may_see_account(&section_admin, &t, &[], u(1)), "accounts without roles: the whole tree's");
        assert!(may_manage_account(&one(Role::Administrator, 1), &t, &[], u(1)));
    }

    #[test]
    fn the_rotation_covers_everyone_within_the_year() {
        let mut unreviewed: Vec<i64> = (1..=50).collect();
        let mut seen = Vec::new();
        for month in 1..=12 {
            // Two people join in March.
            if month == 3 {
                unreviewed.extend([51, 52]);
            }
            let drawn = draw_for_month(&unreviewed, month, |x| (x as u64).wrapping_mul(2_654_435_761) % 1000);
            assert!(drawn.len() <= 5, "month {month} drew {}", drawn.len());
            unreviewed.retain(|x| !drawn.contains(x));
            seen.extend(drawn);
        }
        assert!(unreviewed.is_empty());
        seen.sort_unstable();
        assert_eq!(seen, (1..=52).collect::<Vec<_>>());
    }

    #[test]
    fn passwords_and_addresses_are_checked() {
        assert!(check_password("kort", "a@b.se").is_err());
        assert!(check_password("ett-långt-lösenord", "a@b.se").is_ok());
        let acc = |email: &str| Account { email: email.into(), ..Account::new(Id::new(1), "", "Anna") };
        assert!(acc("anna@kommun.se").validate().is_ok());
        assert!(acc("anna").validate().is_err());
        assert!(acc("anna @kommun.se").validate().is_err());
    }
}

coded_enum! {
    /// The outcome of reviewing one person's accesses.
    pub enum ReviewOutcome {
        /// No accesses without a reason.
        NoRemarks = "no_remarks",
        /// Accesses that need looking into.
        Remarks = "remarks",
    }
}

/// One person's access-log review (loggkontroll) in a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessLogReview {
    pub tenant_id: TenantId,
    pub account_id: AccountId,
    pub year: i64,
    pub month: i64,
    pub reviewed_on: crate::Date,
    pub reviewer: String,
    pub outcome: ReviewOutcome,
    pub comment: String,
}
pub type AccessLogReviewId = Id<AccessLogReview>;

impl Validate for AccessLogReview {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("month", self.month, 1, 12);
        e.optional_text("comment", &self.comment, limits::TEXT);
        if self.outcome == ReviewOutcome::Remarks && self.comment.trim().is_empty() {
            e.push("comment", Problem::Invalid("beskriv vad som behöver utredas".into()));
        }
        e.into_result()
    }
}
