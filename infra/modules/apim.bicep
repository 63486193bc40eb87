// Optional: Azure API Management in front of the Sentinel webhook. It checks the Logic App's
// Entra ID token (validate-jwt: tenant, audience, allow-listed object ids), rate-limits per
// caller, and forwards the request to Argus signed with the webhook secret it reads from Key
// Vault (a Key Vault named value), in Argus's X-Argus-Signature format.
// The secret `sentinel-webhook-secret` must exist in the vault before this module deploys.

param name string
param location string
param tags object
param publisherEmail string
param publisherName string
@allowed(['Developer', 'Basic', 'Standard', 'Premium'])
param sku string = 'Developer'
@description('https://<argus app>')
param argusUrl string
param keyVaultName string
param webhookAudience string
@description('Object ids allowed to call (webhookAuth.entra.allowedCallers).')
param allowedCallers array
@minValue(1)
param callsPerMinute int = 600

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource apim 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: sku, capacity: 1 }
  identity: { type: 'SystemAssigned' }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

resource apimReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, apim.id, secretsUser)
  scope: vault
  properties: {
    principalId: apim.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
  }
}

resource tenantValue 'Microsoft.ApiManagement/service/namedValues@2022-08-01' = {
  parent: apim
  name: 'argus-tenant-id'
  properties: { displayName: 'argus-tenant-id', value: tenant().tenantId }
}

resource audienceValue 'Microsoft.ApiManagement/service/namedValues@2022-08-01' = {
  parent: apim
  name: 'argus-webhook-audience'
  properties: { displayName: 'argus-webhook-audience', value: webhookAudience }
}

resource callersValue 'Microsoft.ApiManagement/service/namedValues@2022-08-01' = {
  parent: apim
  name: 'argus-allowed-callers'
  properties: { displayName: 'argus-allowed-callers', value: join(allowedCallers, ',') }
}

resource secretValue 'Microsoft.ApiManagement/service/namedValues@2022-08-01' = {
  parent: apim
  name: 'sentinel-webhook-secret'
  dependsOn: [apimReadsSecrets]
  properties: {
    displayName: 'sentinel-webhook-secret'
    secret: true
    keyVault: { secretIdentifier: '${vault.properties.vaultUri}secrets/sentinel-webhook-secret' }
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2022-08-01' = {
  parent: apim
  name: 'argus-webhooks'
  properties: {
    displayName: 'Argus webhooks'
    path: 'api/webhooks'
    protocols: ['https']
    serviceUrl: '${argusUrl}/api/webhooks'
    subscriptionRequired: false
  }
}

resource sentinelOperation 'Microsoft.ApiManagement/service/apis/operations@2022-08-01' = {
  parent: api
  name: 'sentinel'
  properties: {
    displayName: 'Sentinel incident (Logic App hop)'
    method: 'POST'
    urlTemplate: '/sentinel'
  }
}

var policy = '''
<policies>
  <inbound>
    <base />
    <validate-jwt header-name="Authorization" failed-validation-httpcode="401" require-scheme="Bearer" output-token-variable-name="jwt">
      <openid-config url="https://login.microsoftonline.com/{{argus-tenant-id}}/v2.0/.well-known/openid-configuration" />
      <audiences><audience>{{argus-webhook-audience}}</audience></audiences>
      <issuers>
        <issuer>https://login.microsoftonline.com/{{argus-tenant-id}}/v2.0</issuer>
        <issuer>https://sts.windows.net/{{argus-tenant-id}}/</issuer>
      </issuers>
      <required-claims>
        <claim name="oid" match="any" separator=","><value>{{argus-allowed-callers}}</value></claim>
      </required-claims>
    </validate-jwt>
    <rate-limit-by-key calls="__CALLS__" renewal-period="60" counter-key="@(((Jwt)context.Variables[&quot;jwt&quot;]).Claims.GetValueOrDefault(&quot;oid&quot;, &quot;unknown&quot;))" />
    <set-variable name="ts" value="@(DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString())" />
    <set-header name="X-Argus-Signature" exists-action="override">
      <value>@{
        var ts = (string)context.Variables["ts"];
        var body = context.Request.Body.As<string>(preserveContent: true);
        using (var hmac = new System.Security.Cryptography.HMACSHA256(System.Text.Encoding.UTF8.GetBytes("{{sentinel-webhook-secret}}"))) {
          var digest = hmac.ComputeHash(System.Text.Encoding.UTF8.GetBytes(ts + "." + body));
          return "t=" + ts + ",v1=" + BitConverter.ToString(digest).Replace("-", "").ToLowerInvariant();
        }
      }</value>
    </set-header>
    <set-header name="Authorization" exists-action="delete" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
'''

resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2022-08-01' = {
  parent: api
  name: 'policy'
  dependsOn: [tenantValue, audienceValue, callersValue, secretValue]
  properties: {
    format: 'rawxml'
    value: replace(policy, '__CALLS__', string(callsPerMinute))
  }
}

@description('Gateway URL of the Sentinel webhook: the Logic App posts here when API Management is deployed.')
output sentinelWebhookUrl string = '${apim.properties.gatewayUrl}/api/webhooks/sentinel'
