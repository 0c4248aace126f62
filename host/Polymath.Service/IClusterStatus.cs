using System.Text.Json;

namespace Polymath.Service;

/// <summary>
/// The cluster's live view, written into the <c>health</c> and <c>experts</c> results as <c>cluster</c> when the
/// registered <see cref="IExpertCallDispatcher"/> also implements it (<c>polymath serve --cluster</c>, host/Polymath.Cluster).
/// </summary>
public interface IClusterStatus
{
    /// <summary>Writes one JSON object: <c>{"id", "membership", "silo", "silos": [{"address", "status", "calls", "inFlight", "experts"}]}</c>.</summary>
    void WriteCluster(Utf8JsonWriter writer);
}
