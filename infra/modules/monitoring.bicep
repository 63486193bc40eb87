// Log Analytics + workspace-based Application Insights for Argus's own telemetry
// (not the Sentinel workspace: Argus's logs stay apart from the security data it oversees).

param name string
param location string
param tags object
@minValue(30)
@maxValue(730)
param retentionInDays int = 90

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: 'log-${name}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'Node.JS'
    WorkspaceResourceId: logs.id
    // Ingestion with a connection string only; no instrumentation key auth from elsewhere.
    DisableLocalAuth: false
  }
}

output workspaceId string = logs.id
output appInsightsConnectionString string = insights.properties.ConnectionString
