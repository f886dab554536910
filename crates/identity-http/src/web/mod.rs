//! What every page needs, one module each: the request's context ([`Ctx`]: the
//! language, cookies, client address and the service), the cookies with the CSRF
//! token and one-shot messages, rendering a page in its frame, the frame's texts,
//! times as pages show them, and [`PageError`], the early stop of a handler that
//! renders itself.

mod cookies;
mod dates;
mod failure;
mod frame_texts;
mod page_error;
mod pages;
mod request;

pub(crate) use cookies::{LANG_COOKIE, SESSION_COOKIE, cookie};
pub(crate) use dates::rome_time;
pub(crate) use failure::Failure;
pub(crate) use page_error::{Page, PageError, failure_pages};
pub(crate) use pages::{Chrome, MessagePage, SimpleForm, safe_path, see_other};
pub(crate) use request::{Ctx, accept_language, bearer_token};

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, header};
    use axum_extra::extract::cookie::{Cookie, CookieJar};
    use identity_core::Lang;

    use super::cookies::LANG_COOKIE;
    use super::pages::safe_path;
    use super::request::{client_ip, language};

    #[test]
    fn language_from_cookie_then_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            "de-DE,en-GB;q=0.8".parse().unwrap(),
        );
        assert_eq!(language(&CookieJar::new(), &headers), Lang::En);
        let jar = CookieJar::new().add(Cookie::new(LANG_COOKIE, "it"));
        assert_eq!(language(&jar, &headers), Lang::It);
        assert_eq!(language(&CookieJar::new(), &HeaderMap::new()), Lang::It);
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        assert_eq!(
            client_ip(&headers, Some("x-forwarded-for")).as_deref(),
            Some("198.51.100.4"),
            "the address the proxy appended, not what the client claimed"
        );
        assert_eq!(client_ip(&headers, None), None, "not configured: the peer");
        headers.insert("x-real-ip", "nonsense".parse().unwrap());
        assert_eq!(client_ip(&headers, Some("x-real-ip")), None);
    }

    #[test]
    fn redirects_stay_on_site() {
        assert_eq!(safe_path(Some("/account")), "/account");
        assert_eq!(safe_path(Some("//evil.example")), "/");
        assert_eq!(safe_path(Some("https://evil.example")), "/");
        assert_eq!(safe_path(Some("/\\evil")), "/");
        assert_eq!(safe_path(Some("/\t/evil.example")), "/");
        assert_eq!(safe_path(Some("/\n/evil.example")), "/");
        assert_eq!(safe_path(None), "/");
    }
}
