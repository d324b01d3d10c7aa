// The viewer's session: sign-in against Cognito from the browser (SRP through amazon-cognito-identity-js,
// or the hosted UI with PKCE when the stack has a hosted-UI domain), the ID token in localStorage.id_token
// (the contract), silent refresh before it expires, and a clean sign-out (refresh token revoked).

import { config } from "./config.js";
import { forgetKept } from "./offline.js";

const ID_TOKEN = "id_token";
const REFRESH_TOKEN = "refresh_token";
const USERNAME = "username";
const PKCE_VERIFIER = "pkce_verifier";
const OAUTH_STATE = "oauth_state"; // the sign-in this tab started: a redirect without it is refused
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

let refreshTimer = null;
const listeners = new Set();

export class AuthError extends Error {}

/** The claims of a JWT (no verification: the APIs' authorizer verifies; this only reads). */
export function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")))
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
        .join(""),
    );
    const claims = JSON.parse(json);
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

function groupsOf(claims) {
  const value = claims["cognito:groups"];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string")
    return value
      .replace(/^\[|\]$/g, "")
      .split(/[\s,]+/)
      .filter(Boolean);
  return [];
}

/** The signed-in session read from localStorage.id_token alone; an expired or unreadable token is discarded. */
export function currentSession() {
  const token = localStorage.getItem(ID_TOKEN);
  if (!token) return null;
  const claims = claimsOf(token);
  if (!claims || typeof claims.exp !== "number" || claims.exp * 1000 <= Date.now()) {
    localStorage.removeItem(ID_TOKEN);
    return null;
  }
  const groups = groupsOf(claims);
  return {
    idToken: token,
    email: claims.email || claims["cognito:username"] || "",
    sub: claims.sub,
    expiresAt: claims.exp * 1000,
    groups,
    isAdmin: groups.includes(config.adminGroup),
  };
}

export function onSessionChange(listener) {
  listeners.add(listener);
}

function changed() {
  scheduleRefresh();
  for (const listener of listeners) listener(currentSession());
}

function store({ idToken, refreshToken, username }) {
  localStorage.setItem(ID_TOKEN, idToken);
  if (refreshToken) localStorage.setItem(REFRESH_TOKEN, refreshToken);
  if (username) localStorage.setItem(USERNAME, username);
  changed();
}

function pool() {
  const { CognitoUserPool } = window.AmazonCognitoIdentity;
  return new CognitoUserPool({
    UserPoolId: config.userPoolId,
    ClientId: config.clientId,
    endpoint: config.cognitoEndpoint,
  });
}

function friendly(error) {
  const code = error && (error.code || error.name);
  if (code === "NotAuthorizedException" || code === "UserNotFoundException") return "Incorrect email or password.";
  if (code === "UserNotConfirmedException") return "This account is not confirmed yet.";
  if (code === "PasswordResetRequiredException") return "A password reset is required for this account.";
  if (code === "TooManyRequestsException" || code === "LimitExceededException")
    return "Too many attempts: wait a minute and try again.";
  if (code === "NetworkError" || (error && /network|fetch/i.test(String(error.message)))) {
    return "Cannot reach the sign-in service. Check your connection and try again.";
  }
  return error?.message || "Sign-in failed.";
}

/** Email + password (SRP: the password never leaves the browser). Resolves when signed in. */
export function signIn(email, password) {
  const { AuthenticationDetails, CognitoUser } = window.AmazonCognitoIdentity;
  const user = new CognitoUser({ Username: email, Pool: pool() });
  const details = new AuthenticationDetails({ Username: email, Password: password });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess(session) {
        store({
          idToken: session.getIdToken().getJwtToken(),
          refreshToken: session.getRefreshToken().getToken(),
          username: email,
        });
        resolve(currentSession());
      },
      onFailure(error) {
        reject(new AuthError(friendly(error)));
      },
      newPasswordRequired() {
        reject(new AuthError("This account needs a new password: ask an admin to set one."));
      },
    });
  });
}

/** A fresh ID token from the refresh token; false when there is none or Cognito refuses it. */
export function refresh() {
  const refreshToken = localStorage.getItem(REFRESH_TOKEN);
  const username = localStorage.getItem(USERNAME);
  if (!refreshToken || !username || !window.AmazonCognitoIdentity) return Promise.resolve(false);
  const { CognitoUser, CognitoRefreshToken } = window.AmazonCognitoIdentity;
  const user = new CognitoUser({ Username: username, Pool: pool() });
  return new Promise((resolve) => {
    user.refreshSession(new CognitoRefreshToken({ RefreshToken: refreshToken }), (error, session) => {
      if (error || !session) return resolve(false);
      store({ idToken: session.getIdToken().getJwtToken() });
      resolve(true);
    });
  });
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  const session = currentSession();
  if (!session || !localStorage.getItem(REFRESH_TOKEN)) return;
  const wait = Math.max(5_000, session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
  refreshTimer = setTimeout(
    async () => {
      if (!(await refresh())) signOut({ revoke: false });
    },
    Math.min(wait, 2 ** 31 - 1),
  );
}

/** Revoke the refresh token (best effort), clear the session and what was kept for offline use, tell the
 * listeners. */
export async function signOut({ revoke = true } = {}) {
  const refreshToken = localStorage.getItem(REFRESH_TOKEN);
  for (const key of [ID_TOKEN, REFRESH_TOKEN, USERNAME]) localStorage.removeItem(key);
  clearTimeout(refreshTimer);
  await forgetKept();
  changed();
  if (revoke && refreshToken) {
    try {
      await fetch(config.cognitoEndpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "AWSCognitoIdentityProviderService.RevokeToken",
        },
        body: JSON.stringify({ Token: refreshToken, ClientId: config.clientId }),
      });
    } catch {
      // Signed out locally either way; the token expires on its own.
    }
  }
}

// --- hosted UI (AWS, when configured): authorization code + PKCE ---------------------------------------

export const usesHostedUi = () => Boolean(config.hostedUiDomain);

function redirectUri() {
  return window.location.origin + window.location.pathname;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export async function signInWithHostedUi() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_VERIFIER, verifier);
  sessionStorage.setItem(OAUTH_STATE, state);
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: "openid email profile",
    code_challenge_method: "S256",
    code_challenge: challenge,
    state,
  });
  window.location.assign(`${config.hostedUiDomain}/oauth2/authorize?${query}`);
}

/** After the hosted UI redirects back with ?code=...&state=..., exchange the code for tokens: only for the
 * sign-in this tab started (its `state`), so a link with someone else's code signs nobody in. */
export async function completeHostedUiSignIn() {
  const params = new URLSearchParams(window.location.search);
  const code = params.get("code");
  const verifier = sessionStorage.getItem(PKCE_VERIFIER);
  const expected = sessionStorage.getItem(OAUTH_STATE);
  if (!usesHostedUi() || !code || !verifier) return false;
  sessionStorage.removeItem(PKCE_VERIFIER);
  sessionStorage.removeItem(OAUTH_STATE);
  if (!expected || params.get("state") !== expected) {
    window.history.replaceState(null, "", redirectUri() + window.location.hash);
    throw new AuthError("The sign-in could not be completed (it was not started here): please sign in again.");
  }
  const response = await fetch(`${config.hostedUiDomain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    }),
  });
  window.history.replaceState(null, "", redirectUri() + window.location.hash);
  if (!response.ok) throw new AuthError("The sign-in could not be completed: please try again.");
  const tokens = await response.json();
  const claims = claimsOf(tokens.id_token) || {};
  store({
    idToken: tokens.id_token,
    refreshToken: tokens.refresh_token,
    username: claims["cognito:username"] || claims.email,
  });
  return true;
}

export function startSessionUpkeep() {
  scheduleRefresh();
  // Another tab signed in or out: follow it.
  window.addEventListener("storage", (event) => {
    if (event.key === ID_TOKEN) changed();
  });
}
