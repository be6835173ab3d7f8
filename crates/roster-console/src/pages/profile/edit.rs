//! The profile's **Edit**: a stale save shows the values saved meanwhile
//! beside the input, which is kept.

use super::{EditForm, athlete_id, form_of, profile_data};
use crate::form::{Errors, Outcome};
use crate::view::posted;
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use roster_domain::error::{Conflict, FieldErrors};
use roster_domain::member::{DisplayName, Labels, MemberLevel, PrivateNotes};
use roster_domain::services::members::{self, MemberPatch};
use roster_domain::{DomainError, MembershipStatus};

fn parse_patch(form: &EditForm) -> Result<MemberPatch, DomainError> {
    let mut errors = FieldErrors::new();
    let optional = |text: &str| Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_owned);
    let display_name = match optional(&form.display_name) {
        None => Some(None),
        Some(v) => errors.check("display_name", DisplayName::parse(&v)).map(Some),
    };
    let member_level = match optional(&form.member_level) {
        None => Some(None),
        Some(v) => errors.check("member_level", MemberLevel::parse(&v)).map(Some),
    };
    let private_notes = match optional(&form.private_notes) {
        None => Some(None),
        Some(v) => errors.check("private_notes", PrivateNotes::parse(&v)).map(Some),
    };
    let labels: Vec<String> = form
        .labels
        .split([' ', ','])
        .filter(|l| !l.is_empty())
        .map(|l| if l.starts_with('@') { l.to_owned() } else { format!("@{l}") })
        .collect();
    let labels = errors.check("labels", Labels::parse(labels.iter().map(String::as_str)));
    let status = errors.check(
        "status",
        form.status.parse::<MembershipStatus>().map_err(|_| roster_domain::values::InvalidValue {
            code: "invalid_status",
            message: "choose a status from the list".into(),
        }),
    );
    errors.finish()?;
    Ok(MemberPatch { display_name, member_level, labels, private_notes, status })
}

const EDIT_FIELDS: &[&str] = &["display_name", "member_level", "labels", "private_notes", "status"];

pub(in crate::pages) async fn edit(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, PageError> {
    let athlete = athlete_id(&path)?;
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let saved =
            parse_patch(&form).and_then(|patch| members::update(&c.cx(me), org_id, athlete, patch, Some(form.version)));
        match saved {
            Ok(_) => Ok(Outcome::Redirect(format!("/athletes/{athlete}"))),
            Err(DomainError::Conflict(Conflict::VersionMismatch)) => {
                // Someone saved first: show what they saved beside this
                // user's input, which is kept, with their version to save over.
                let (current, _) = members::get(&c.cx(me), org_id, athlete)?;
                let theirs = form_of(&current.membership);
                let mut mine = form;
                mine.version = theirs.version;
                let errors = Errors::one(
                    "",
                    "Someone else saved this athlete while you were editing. Their values are shown below; \
                     your input is kept: save again to replace theirs.",
                );
                Ok(Outcome::Again(profile_data(c, &viewer, athlete, Some((mine, errors, Some(theirs))))?))
            }
            Err(e) => {
                let errors = Errors::from_domain(e, EDIT_FIELDS)?;
                Ok(Outcome::Again(profile_data(c, &viewer, athlete, Some((form, errors, None)))?))
            }
        }
    })
    .await?
    .respond()
}
