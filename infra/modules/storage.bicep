// Table Storage (audit chain, incidents, cards, events…), queues (durable intake) and blobs (evidence
// content, container argus-evidence) for Argus.
// No shared keys in production: Argus reaches it with its managed identity
// (ARGUS_STORAGE_ACCOUNT_URL + DefaultAzureCredential) and the data roles assigned here.

param name string
param location string
param tags object
@description('Principal (object) id of Argus\'s managed identity.')
param argusPrincipalId string
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param sku string = 'Standard_ZRS'

var roles = {
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: sku }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

// Argus creates its tables and queues at start (idempotently); these roles allow that and the data access.
resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, argusPrincipalId, roles.tableDataContributor)
  scope: account
  properties: {
    principalId: argusPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
  }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, argusPrincipalId, roles.queueDataContributor)
  scope: account
  properties: {
    principalId: argusPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
  }
}

// Evidence content: private, one blob per item, written once. Argus never deletes a blob; soft delete
// and versioning keep anything removed by other means recoverable (docs/response.md).
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: 30 }
    containerDeleteRetentionPolicy: { enabled: true, days: 30 }
  }
}

resource evidenceContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'argus-evidence'
  properties: { publicAccess: 'None' }
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, argusPrincipalId, roles.blobDataContributor)
  scope: account
  properties: {
    principalId: argusPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
  }
}

output accountName string = account.name
@description('ARGUS_STORAGE_ACCOUNT_URL: Argus derives the queue endpoint from it.')
output tableEndpoint string = account.properties.primaryEndpoints.table
