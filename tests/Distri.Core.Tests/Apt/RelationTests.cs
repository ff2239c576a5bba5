using Distri.Core.Apt;

namespace Distri.Core.Tests.Apt;

public sealed class RelationTests
{
    [Fact]
    public void Parses_groups_alternatives_constraints_and_qualifiers()
    {
        var groups = Relation.ParseGroups("libc6 (>= 2.34), perl:any | perl-base (<< 5.37~) [amd64], git-man (<< 1:2.39.5-.), python3:native <!nocheck>");
        Assert.Equal(4, groups.Count);
        Assert.Equal(new Relation("libc6", null, ">=", "2.34"), groups[0][0]);
        Assert.Equal(new Relation("perl", "any", null, null), groups[1][0]);
        Assert.Equal(new Relation("perl-base", null, "<<", "5.37~"), groups[1][1]);
        Assert.Equal(new Relation("git-man", null, "<<", "1:2.39.5-."), groups[2][0]);
        Assert.Equal(new Relation("python3", "native", null, null), groups[3][0]);
    }

    [Theory]
    [InlineData("libc6 (>= 2.34")]
    [InlineData("libc6 (~ 2.34)")]
    [InlineData("libc6 (>=)")]
    [InlineData("lib c6")]
    public void Refuses_malformed_relations(string text) =>
        Assert.Throws<InvalidDataException>(() => Relation.Parse(text));
}
