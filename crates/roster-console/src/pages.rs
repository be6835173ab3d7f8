//! The pages, one module per area of the sidebar.

mod account;
mod api_keys;
mod athletes;
mod attention;
mod audit;
mod auth;
mod bulk;
mod calendar;
mod club;
mod coaches;
mod csv;
mod groups;
mod invitations;
mod invite;
mod me;
mod plan_workouts;
mod plans;
mod profile;
mod webhook;
mod webhooks;

use actix_web::web;
use rand::RngCore;
use roster_domain::invitation::{InvitationToken, TokenGenerator};

/// Session secrets and reset tokens from the OS's random source.
#[derive(Debug)]
struct OsTokens;

impl TokenGenerator for OsTokens {
    fn generate(&self) -> InvitationToken {
        let mut bytes = [0u8; roster_domain::invitation::token::TOKEN_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        InvitationToken::from_random_bytes(bytes)
    }
}

pub(crate) fn configure<F, R>(cfg: &mut web::ServiceConfig, limited: F)
where
    F: Fn(actix_web::Resource) -> R,
    R: actix_web::dev::HttpServiceFactory + 'static,
{
    cfg.service(web::resource("/").route(web::get().to(club::home)))
        .service(limited(
            web::resource("/sign-in").route(web::get().to(auth::sign_in_page)).route(web::post().to(auth::sign_in)),
        ))
        .service(limited(
            web::resource("/create-account")
                .route(web::get().to(auth::create_account_page))
                .route(web::post().to(auth::create_account)),
        ))
        .service(limited(
            web::resource("/forgot-password")
                .route(web::get().to(auth::forgot_password_page))
                .route(web::post().to(auth::forgot_password)),
        ))
        .service(web::resource("/sign-out").route(web::post().to(auth::sign_out)))
        .service(web::resource("/club/new").route(web::get().to(club::new_page)).route(web::post().to(club::create)))
        .service(
            web::resource("/settings")
                .route(web::get().to(club::settings_page))
                .route(web::post().to(club::save_settings)),
        )
        .service(
            web::resource("/settings/close").route(web::get().to(club::close_page)).route(web::post().to(club::close)),
        )
        .configure(automation)
        .service(web::resource("/account").route(web::get().to(account::page)))
        .service(limited(web::resource("/account/export").route(web::post().to(account::export))))
        .service(limited(web::resource("/account/delete").route(web::post().to(account::delete))))
        .service(web::resource("/athletes").route(web::get().to(athletes::list)))
        .service(web::resource("/athletes.csv").route(web::get().to(csv::export)))
        .service(web::resource("/athletes/bulk").route(web::post().to(bulk::run)))
        .service(web::resource("/athletes/import").route(web::get().to(csv::page)).route(web::post().to(csv::preview)))
        .service(
            web::resource("/athletes/import/confirm")
                .app_data(crate::form_config().limit(csv::MAX_CONFIRM_BYTES))
                .route(web::post().to(csv::confirm)),
        )
        .service(web::resource("/athletes/import/{import_id}/result.csv").route(web::get().to(csv::result)))
        .service(
            web::resource("/athletes/invite")
                .route(web::get().to(invite::invite_page))
                .route(web::post().to(invite::invite)),
        )
        .service(
            web::resource("/athletes/invite-link")
                .route(web::get().to(invite::link_page))
                .route(web::post().to(invite::create_link)),
        )
        .service(
            web::resource("/athletes/add")
                .route(web::get().to(invite::add_page))
                .route(web::post().to(invite::add_existing)),
        )
        .service(web::resource("/athletes/{user_id}").route(web::get().to(profile::page)))
        .service(web::resource("/athletes/{user_id}/edit").route(web::post().to(profile::edit)))
        .service(web::resource("/athletes/{user_id}/coach").route(web::post().to(profile::assign_coach)))
        .service(web::resource("/athletes/{user_id}/plans").route(web::post().to(profile::assign_plan)))
        .service(
            web::resource("/athletes/{user_id}/plans/{assignment_id}/cancel")
                .route(web::post().to(profile::cancel_plan)),
        )
        .service(
            web::resource("/athletes/{user_id}/remove")
                .route(web::get().to(profile::remove_page))
                .route(web::post().to(profile::remove)),
        )
        .configure(planned_versus_done)
        .configure(groups_and_invitations)
        .configure(plans_and_coaches)
        .service(web::resource("/audit").route(web::get().to(audit::page)))
        .service(web::resource("/me").route(web::get().to(me::club)))
        .service(web::resource("/me/activities").route(web::get().to(me::activities)))
        .service(web::resource("/me/upload").route(web::get().to(me::upload_page)).route(web::post().to(me::upload)))
        .service(web::resource("/me/leave").route(web::get().to(me::leave_page)).route(web::post().to(me::leave)))
        .configure(athlete_data);
}

/// **My goal race**, **My zones** and **My integrations**.
fn athlete_data(cfg: &mut web::ServiceConfig) {
    use me::{goal_race, integrations, zones};
    cfg.service(
        web::resource("/me/goal-race").route(web::get().to(goal_race::page)).route(web::post().to(goal_race::create)),
    )
    .service(
        web::resource("/me/goal-race/{goal_id}")
            .route(web::get().to(goal_race::edit_page))
            .route(web::post().to(goal_race::save)),
    )
    .service(
        web::resource("/me/goal-race/{goal_id}/delete")
            .route(web::get().to(goal_race::delete_page))
            .route(web::post().to(goal_race::delete)),
    )
    .service(web::resource("/me/zones").route(web::get().to(zones::page)).route(web::post().to(zones::save)))
    .service(web::resource("/me/integrations").route(web::get().to(integrations::page)))
    .service(web::resource("/me/integrations/{provider}/connect").route(web::post().to(integrations::connect)))
    .service(web::resource("/me/integrations/{provider}/disconnect").route(web::post().to(integrations::disconnect)));
}

/// **Training plans** (with a plan's page and its workouts) and **Coaches**.
fn plans_and_coaches(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/plans").route(web::get().to(plans::list)).route(web::post().to(plans::create)))
        .service(web::resource("/plans/{plan_id}").route(web::get().to(plans::page)).route(web::post().to(plans::save)))
        .service(
            web::resource("/plans/{plan_id}/archive")
                .route(web::get().to(plans::archive_page))
                .route(web::post().to(plans::archive)),
        )
        .service(web::resource("/plans/{plan_id}/workouts").route(web::post().to(plan_workouts::add_workout)))
        .service(web::resource("/plans/{plan_id}/workouts/{index}").route(web::post().to(plan_workouts::edit_workout)))
        .service(
            web::resource("/plans/{plan_id}/workouts/{index}/remove")
                .route(web::post().to(plan_workouts::remove_workout)),
        )
        .service(web::resource("/coaches").route(web::get().to(coaches::page)).route(web::post().to(coaches::add)))
        .service(
            web::resource("/coaches/{user_id}/remove")
                .route(web::get().to(coaches::remove_page))
                .route(web::post().to(coaches::remove)),
        )
        .service(
            web::resource("/coaches/{user_id}/transfer")
                .route(web::get().to(coaches::transfer_page))
                .route(web::post().to(coaches::transfer)),
        );
}

/// **Groups** (a group's members and **Assign plan**) and **Invitations**.
fn groups_and_invitations(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/groups").route(web::get().to(groups::list)).route(web::post().to(groups::create)))
        .service(
            web::resource("/groups/{group_id}")
                .route(web::get().to(groups::page))
                .route(web::post().to(groups::rename)),
        )
        .service(web::resource("/groups/{group_id}/members").route(web::post().to(groups::add_member)))
        .service(
            web::resource("/groups/{group_id}/members/{user_id}/remove").route(web::post().to(groups::remove_member)),
        )
        .service(web::resource("/groups/{group_id}/plans").route(web::post().to(groups::assign_plan)))
        .service(
            web::resource("/groups/{group_id}/delete")
                .route(web::get().to(groups::delete_page))
                .route(web::post().to(groups::delete)),
        )
        .service(web::resource("/invitations").route(web::get().to(invitations::list)))
        .service(web::resource("/invitations/{invitation_id}/link").route(web::get().to(invitations::link)))
        .service(web::resource("/invitations/{invitation_id}/resend").route(web::post().to(invitations::resend)))
        .service(web::resource("/invitations/{invitation_id}/revoke").route(web::post().to(invitations::revoke)));
}

/// **Needs attention**, and the calendar of an athlete (and of the athlete themself).
fn planned_versus_done(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/attention").route(web::get().to(attention::page)))
        .service(
            web::resource("/attention/{user_id}/{signal}/acknowledge").route(web::post().to(attention::acknowledge)),
        )
        .service(web::resource("/athletes/{user_id}/calendar").route(web::get().to(calendar::page)))
        .service(
            web::resource("/athletes/{user_id}/calendar/{workout_id}/excuse").route(web::post().to(calendar::excuse)),
        )
        .service(
            web::resource("/athletes/{user_id}/calendar/{workout_id}/move")
                .route(web::post().to(calendar::move_workout)),
        )
        .service(web::resource("/me/calendar").route(web::get().to(calendar::mine)));
}

/// Settings → **API keys** and **Webhooks** (the head coach's).
fn automation(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/settings/api-keys")
            .route(web::get().to(api_keys::page))
            .route(web::post().to(api_keys::create)),
    )
    .service(
        web::resource("/settings/api-keys/{key_id}/revoke")
            .route(web::get().to(api_keys::revoke_page))
            .route(web::post().to(api_keys::revoke)),
    )
    .service(
        web::resource("/settings/webhooks")
            .route(web::get().to(webhooks::page))
            .route(web::post().to(webhooks::create)),
    )
    .service(
        web::resource("/settings/webhooks/{id}")
            .route(web::get().to(webhook::page))
            .route(web::post().to(webhook::save)),
    )
    .service(web::resource("/settings/webhooks/{id}/rotate-secret").route(web::post().to(webhook::rotate)))
    .service(web::resource("/settings/webhooks/{id}/test").route(web::post().to(webhook::test)))
    .service(
        web::resource("/settings/webhooks/{id}/delete")
            .route(web::get().to(webhook::delete_page))
            .route(web::post().to(webhook::delete)),
    )
    .service(
        web::resource("/settings/webhooks/{id}/deliveries/{delivery_id}/redeliver")
            .route(web::post().to(webhook::redeliver)),
    );
}
