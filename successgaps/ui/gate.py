"""The sign-in gate of a team server, called by `ui.page` at the top of every page.

Personal mode (the default): nothing here draws anything; everyone is the facilitator of every project.
Team server (`SUCCESSGAPS_MODE=team`): a page is drawn only for a signed-in account. The session token is
kept in this tab's session and in a cookie (`sg_session`, SameSite=Strict, Secure over HTTPS), so a reload or
a link opened in the same browser stays signed in until the session expires or the person signs out.
"""

from __future__ import annotations

import streamlit as st

from ..access import accounts, audit, config, roles
from ..errors import UserError
from . import theme

COOKIE = "sg_session"
_TOKEN = "sg_session_token"
_ACCOUNT = "sg_account"
_LAND = "sg_land"  # just signed in: a member lands on My homework
_NEW_PASSWORD = "sg_offer_password"  # signed in with a link: offer to set a password
HOMEWORK_PAGE = "pages/11_My_Homework.py"


@st.cache_resource(show_spinner=False)
def _deployment() -> config.Deployment:
    return config.load()


def deployment() -> config.Deployment:
    """The deployer's settings (read once per server process)."""
    return _deployment()


def team() -> bool:
    return deployment().team


def account() -> accounts.Account | None:
    return st.session_state.get(_ACCOUNT) if team() else None


def email() -> str:
    signed_in = account()
    return signed_in.email if signed_in else ""


def _cookie() -> str | None:
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and value else None


def _cookie_script(token: str | None) -> None:
    url = st.context.url
    https = (isinstance(url, str) and url.startswith("https")) or deployment().base_url.startswith("https")
    secure = "; Secure" if https else ""
    if token:
        age = int(deployment().session_hours * 3600)
        value = f"{COOKIE}={token}; path=/; max-age={age}; SameSite=Strict{secure}"
    else:
        value = f"{COOKIE}=; path=/; max-age=0; SameSite=Strict{secure}"
    st.html(f"<script>document.cookie = {value!r};</script>", unsafe_allow_javascript=True, width="content")


def _signed_in(store, email: str, token: str, how: str) -> None:
    st.session_state[_TOKEN] = token
    st.session_state[_ACCOUNT] = accounts.account(store, email)
    st.session_state[_LAND] = True
    audit.record(store, None, email, "sign-in", how)


def _sign_in(store) -> None:
    typed = (st.session_state.get("sg_signin_email") or "").strip().lower()
    try:
        token = accounts.sign_in(store, typed, st.session_state.get("sg_signin_password") or "", deployment())
    except UserError as exc:
        locked = accounts.is_locked(store, typed) if typed else False
        audit.record(store, None, typed, "locked out" if locked else "failed sign-in", "wrong password")
        st.session_state["sg_signin_error"] = str(exc)
        return
    _signed_in(store, typed, token, "password")


def _sign_out(store) -> None:
    signed_in = st.session_state.get(_ACCOUNT)
    accounts.end_session(store, st.session_state.get(_TOKEN))
    if signed_in is not None:
        audit.record(store, None, signed_in.email, "sign-out")
    for key in (_TOKEN, _ACCOUNT, _LAND, _NEW_PASSWORD):
        st.session_state.pop(key, None)
    st.session_state["sg_signed_out"] = True


def _set_password(store) -> None:
    signed_in = st.session_state.get(_ACCOUNT)
    try:
        accounts.set_password(store, signed_in.email, st.session_state.get("sg_new_password") or "",
                              st.session_state.get("sg_new_password_again") or "")
    except UserError as exc:
        st.session_state["sg_password_error"] = str(exc)
        return
    st.session_state.pop(_NEW_PASSWORD, None)
    st.session_state[_ACCOUNT] = accounts.account(store, signed_in.email)
    audit.record(store, None, signed_in.email, "password set")
    st.session_state["sg_password_ok"] = True


def _sign_in_page(store, esc, done) -> None:
    theme.apply(False)  # the page frame's contrast and sizes (its own run stops here)
    st.title("Sign in to Success Gaps")
    if st.session_state.pop("sg_signed_out", False):
        st.success("You are signed out.")
    if error := st.session_state.pop("sg_signin_error", None):
        st.error(esc(error), icon=":material/error:")
    with st.form("sg_signin", border=False, enter_to_submit=True):
        st.text_input("Email", key="sg_signin_email", autocomplete="username")
        st.text_input("Password", type="password", key="sg_signin_password", autocomplete="current-password")
        st.form_submit_button("Sign in", type="primary", on_click=_sign_in, args=(store,))
    st.caption("No password yet? Open the sign-in link your facilitator sent you; it lets you choose one. "
               "Forgot it? Ask your facilitator for a new link.")
    if _cookie():
        _cookie_script(None)  # an expired or ended session: forget it in this browser
    done()
    st.stop()


def _offer_password(store, esc) -> None:
    if st.session_state.pop("sg_password_ok", False):
        st.success("Your password is set: next time, sign in with your email and it.")
    if not st.session_state.get(_NEW_PASSWORD):
        return
    with st.container(border=True):
        st.markdown("**Choose a password** so that you can sign in again without a link "
                    f"(at least {accounts.MIN_PASSWORD} characters).")
        if error := st.session_state.pop("sg_password_error", None):
            st.error(esc(error), icon=":material/error:")
        with st.form("sg_password", border=False):
            st.text_input("New password", type="password", key="sg_new_password", autocomplete="new-password")
            st.text_input("The same password again", type="password", key="sg_new_password_again",
                          autocomplete="new-password")
            st.form_submit_button("Set my password", type="primary", on_click=_set_password, args=(store,))
        st.button("Later", key="sg_password_later", on_click=lambda: st.session_state.pop(_NEW_PASSWORD, None))


def gate(store, page_path: str | None, esc, done) -> None:
    """On a team server: sign in first (a password, or a one-time link in the address), then draw the page.
    A member who just signed in lands on My homework instead of Home."""
    if not team():
        return
    link = st.query_params.get("signin")
    if link:
        st.query_params.pop("signin", None)
        try:
            signed_email, token = accounts.use_link(store, link, deployment())
        except UserError as exc:
            st.session_state["sg_signin_error"] = str(exc)
        else:
            _signed_in(store, signed_email, token, "one-time link")
            if not st.session_state[_ACCOUNT].has_password:
                st.session_state[_NEW_PASSWORD] = True
    token = st.session_state.get(_TOKEN) or _cookie()
    signed_in = accounts.session_account(store, token) if not st.session_state.get("sg_signed_out") else None
    if signed_in is None:
        for key in (_TOKEN, _ACCOUNT):
            st.session_state.pop(key, None)
        _sign_in_page(store, esc, done)
    st.session_state[_TOKEN], st.session_state[_ACCOUNT] = token, signed_in
    with st.sidebar:
        who = signed_in.email if signed_in.name == signed_in.email else f"{signed_in.name} ({signed_in.email})"
        st.markdown(f"Signed in as {esc(who)}")
        st.button("Sign out", key="sg_sign_out", on_click=_sign_out, args=(store,), icon=":material/logout:")
        _cookie_script(token)
    held = set(accounts.roles_of(store, signed_in.email).values())
    if (st.session_state.pop(_LAND, False) and page_path in (None, "Home.py") and not signed_in.can_create
            and "member" in held and "facilitator" not in held):
        st.switch_page(HOMEWORK_PAGE)
    _offer_password(store, esc)


def visible(store) -> set[str] | None:
    """The projects this account may open (None: every one, in personal mode)."""
    if not team():
        return None
    signed_in = account()
    return accounts.project_ids(store, signed_in.email) if signed_in else set()


def role(store, project_id: str | None) -> str | None:
    """This account's role in the project: facilitator in personal mode; None when not on its team."""
    if not team():
        return "facilitator" if project_id else None
    signed_in = account()
    return accounts.role(store, project_id, signed_in.email) if signed_in and project_id else None


def may(store, project_id: str | None, what: str) -> bool:
    return roles.may(role(store, project_id), what)
