//! **Groups**: the list with **Create group**, and a group's page with
//! **Rename**, its members (add by e-mail, remove), **Assign plan** to the
//! group and **Delete group** behind a confirmation page. The use cases are
//! the API's (`services::groups`); the controls show where the policy allows.

use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::error::{Conflict, FieldErrors};
use roster_domain::groups::GroupName;
use roster_domain::policy::{Action, Target};
use roster_domain::services::groups;
use roster_domain::values::Description;
use roster_domain::{DomainError, GroupId};
use serde::Deserialize;

mod group;
pub(super) use group::{add_member, assign_plan, delete, delete_page, page, remove_member, rename};

/// The **Create group** and **Rename** form.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct GroupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// The version the rename form was loaded at.
    #[serde(default)]
    version: i64,
}

/// A group as a row of the list.
pub(super) struct GroupRow {
    group_id: String,
    name: String,
    description: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    chrome: Chrome,
    groups: Vec<GroupRow>,
    may_manage: bool,
    form: GroupForm,
    errors: Errors,
    deleted: bool,
}

const FIELDS: &[&str] = &["name", "description"];

/// The name and description as the use cases take them.
fn parse(form: &GroupForm) -> Result<(GroupName, Description), DomainError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", GroupName::parse(&form.name));
    let description = errors.check("description", Description::parse(&form.description));
    errors.finish()?;
    match (name, description) {
        (Some(n), Some(d)) => Ok((n, d)),
        _ => Err(DomainError::Validation(Vec::new())),
    }
}

/// A refusal the group form shows: a name in use goes beside the name.
fn form_errors(e: DomainError) -> Result<Errors, DomainError> {
    match e {
        DomainError::Conflict(Conflict::GroupNameTaken) => {
            Ok(Errors::one("name", "Another group already has this name."))
        }
        other => Errors::from_domain(other, FIELDS),
    }
}

fn group_id(path: &str) -> Result<GroupId, PageError> {
    path.parse().map_err(|_| PageError::not_found())
}

fn list_data(c: &Console, viewer: &Viewer, form: GroupForm, errors: Errors) -> Result<GroupsPage, DomainError> {
    let list = groups::list(&c.cx(viewer.user.user_id), viewer.org_id()?, None, 200)?;
    Ok(GroupsPage {
        chrome: viewer.chrome("/groups"),
        groups: list
            .into_iter()
            .map(|g| GroupRow {
                group_id: g.group.group_id.to_string(),
                name: g.group.name.as_str().to_owned(),
                description: g.group.description.as_str().to_owned(),
                members: g.member_count,
            })
            .collect(),
        may_manage: viewer.may(Action::ManageGroups, Target::Organization),
        form,
        errors,
        deleted: false,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    deleted: Option<String>,
}

pub(super) async fn list(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let deleted = q.deleted.is_some();
    let page = signed_in(&c, &req, move |c, viewer| {
        let mut page = list_data(c, &viewer, GroupForm::default(), Errors::none())?;
        page.deleted = deleted;
        Ok(page)
    })
    .await?;
    render(&page)
}

pub(super) async fn create(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let made = parse(&form).and_then(|(name, description)| groups::create(&c.cx(me), org_id, name, description));
        match made {
            Ok(view) => Ok(Outcome::Redirect(format!("/groups/{}", view.group.group_id))),
            Err(e) => {
                let errors = form_errors(e)?;
                Ok(Outcome::Again(list_data(c, &viewer, form, errors)?))
            }
        }
    })
    .await?
    .respond()
}
