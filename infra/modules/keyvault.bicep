// Key Vault in RBAC mode for the secrets Argus reads (names in src/config/secret-provider.ts):
// sentinel-webhook-secret, itsm-webhook-secret, jira-webhook-secret, playbook-callback-secret,
// alerts-webhook-secret, servicenow-password / servicenow-client-secret, jira-api-token,
// microsoft-app-password (only for a bot with a client secret), virustotal-api-key /
// abuseipdb-api-key (enrichment), llm-api-key (llm.enabled). Values are set by an operator
// (docs/deploy.md), never passed through a deployment.

param name string
param location string
param tags object
param argusPrincipalId string
@description('Object id of a user or group allowed to set secrets; empty: none assigned here.')
param secretsOfficerPrincipalId string = ''
@allowed(['User', 'Group'])
param secretsOfficerPrincipalType string = 'Group'

var roles = {
  secretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  secretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource argusReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, argusPrincipalId, roles.secretsUser)
  scope: vault
  properties: {
    principalId: argusPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.secretsUser)
  }
}

resource officerSetsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  name: guid(vault.id, secretsOfficerPrincipalId, roles.secretsOfficer)
  scope: vault
  properties: {
    principalId: secretsOfficerPrincipalId
    principalType: secretsOfficerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.secretsOfficer)
  }
}

output vaultName string = vault.name
@description('ARGUS_KEY_VAULT_URL')
output vaultUri string = vault.properties.vaultUri
