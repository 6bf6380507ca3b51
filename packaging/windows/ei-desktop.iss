; Inno Setup 6 recipe of the ei-desktop installer for Windows.
;
; packaging/build runs it on Windows after PyInstaller, roughly:
;   iscc /DAppVersion=0.1.0 /DNumericVersion=0.1.0.0 /DBundleDir=build\bundle\ei-desktop
;        /DIconFile=packaging\build-cache\icons\ei-desktop.ico /DOutputDir=dist
;        /DOutputBase=ei-desktop-0.1.0-windows-x64-setup packaging\windows\ei-desktop.iss
;
; Installs for the current user by default (no administrator rights: %LOCALAPPDATA%\Programs);
; "Install for all users" is offered in the wizard and with /ALLUSERS. Silent install:
;   ei-desktop-<version>-windows-x64-setup.exe /VERYSILENT /CURRENTUSER

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef NumericVersion
  #define NumericVersion "0.0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\build\bundle\ei-desktop"
#endif
#ifndef IconFile
  #define IconFile "..\build-cache\icons\ei-desktop.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBase
  #define OutputBase "ei-desktop-" + AppVersion + "-windows-x64-setup"
#endif

#define AppName "ei-desktop"
#define AppExe "ei-desktop-gui.exe"

[Setup]
; Never change AppId: upgrades and the uninstaller find earlier installations by it.
AppId={{6F1B2C0E-8E3D-4F7A-9C51-2B7D4E9A1C35}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ei-desktop developers
AppComments=Dataset manager for Edge Impulse projects
VersionInfoVersion={#NumericVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} setup
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
#if Ver >= EncodeVer(6, 3, 0)
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
#else
ArchitecturesAllowed=x64
ArchitecturesInstallIn64BitMode=x64
#endif
LicenseFile=..\..\LICENSE
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBase}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle's libraries wholesale: no stale DLL from an older version.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Dataset manager for Edge Impulse projects"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
