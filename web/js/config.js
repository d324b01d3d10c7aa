// The stack's configuration, generated from Terraform outputs into /config.js (tools/publish_site.py).
const raw = window.appConfig || {};

export const config = Object.freeze({
  apiEndpoint: String(raw.ApiEndpoint || "").replace(/\/+$/, ""),
  adminApiEndpoint: String(raw.AdminApiEndpoint || "").replace(/\/+$/, ""),
  userPoolId: raw.UserPoolId || "",
  clientId: raw.UserPoolClientId || "",
  region: raw.Region || "",
  // Where the browser talks to Cognito: AWS's regional endpoint, or the local emulator.
  cognitoEndpoint: `${String(raw.CognitoEndpoint || (raw.Region ? `https://cognito-idp.${raw.Region}.amazonaws.com` : "")).replace(/\/+$/, "")}/`,
  hostedUiDomain: String(raw.HostedUiDomain || "").replace(/\/+$/, ""),
  adminGroup: raw.AdminGroup || "SecurityAdmins",
});

export function configProblem() {
  if (!config.apiEndpoint || !config.userPoolId || !config.clientId) {
    return "This site is not configured: config.js is missing its API and Cognito settings.";
  }
  return null;
}
