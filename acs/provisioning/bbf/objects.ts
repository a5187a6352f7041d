// The BBF objects firmware profiles may map into. generate.ts extracts exactly
// these (every parameter) so the profile validator can check each mapped path
// without loading the 4 MB XML. A profile that needs another standard object
// adds it here and regenerates; vendor X_ parameters are declared in the
// profile itself.

export const TR181_PROFILE_OBJECTS = [
  "Device.DeviceInfo.",
  "Device.ManagementServer.",
  "Device.Time.",
  "Device.WiFi.Radio.{i}.",
  "Device.WiFi.SSID.{i}.",
  "Device.WiFi.SSID.{i}.Stats.",
  "Device.WiFi.AccessPoint.{i}.",
  "Device.WiFi.AccessPoint.{i}.Security.",
  "Device.Ethernet.Interface.{i}.",
  "Device.Ethernet.Interface.{i}.Stats.",
  "Device.Ethernet.Link.{i}.",
  "Device.Ethernet.VLANTermination.{i}.",
  "Device.Optical.Interface.{i}.",
  "Device.Optical.Interface.{i}.Stats.",
  "Device.PPP.Interface.{i}.",
  "Device.PPP.Interface.{i}.Stats.",
  "Device.IP.Interface.{i}.",
  "Device.IP.Interface.{i}.Stats.",
  "Device.DHCPv4.Client.{i}.",
  "Device.IP.Diagnostics.DownloadDiagnostics.",
  "Device.IP.Diagnostics.UploadDiagnostics.",
] as const;

export const TR098_PROFILE_OBJECTS = [
  "InternetGatewayDevice.DeviceInfo.",
  "InternetGatewayDevice.ManagementServer.",
  "InternetGatewayDevice.Time.",
  "InternetGatewayDevice.LANDevice.{i}.",
  "InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.",
  "InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.PreSharedKey.{i}.",
  "InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.WEPKey.{i}.",
  "InternetGatewayDevice.WANDevice.{i}.",
  "InternetGatewayDevice.WANDevice.{i}.WANCommonInterfaceConfig.",
  "InternetGatewayDevice.WANDevice.{i}.WANEthernetInterfaceConfig.",
  "InternetGatewayDevice.WANDevice.{i}.WANEthernetInterfaceConfig.Stats.",
  "InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.",
  "InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.",
  "InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.Stats.",
  "InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANPPPConnection.{i}.",
  "InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANPPPConnection.{i}.Stats.",
  "InternetGatewayDevice.DownloadDiagnostics.",
  "InternetGatewayDevice.UploadDiagnostics.",
] as const;
